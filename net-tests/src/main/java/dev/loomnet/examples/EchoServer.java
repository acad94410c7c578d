package dev.loomnet.examples;

import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;

/**
 * A TCP echo server for benchmarks: {@code EchoServer PORT [events|pipe] [HOST] [reuseport]}. Port 0 picks an
 * ephemeral port. It prints {@code READY port=<port> variant=<variant>} once listening and runs until the process
 * is stopped. With {@code reuseport} it listens with {@code SO_REUSEPORT} ({@link ListenOptions#reusePort()}), so
 * several processes can serve one port and the kernel spreads the connections among them.
 * <ul>
 *   <li>{@code events} (default): a {@link Socket#DATA} listener writes each chunk back;</li>
 *   <li>{@code pipe}: {@code socket.pipe(socket)}, with backpressure from the write queue.</li>
 * </ul>
 */
public final class EchoServer {

    private EchoServer() {
    }

    /**
     * Creates an echo server, not yet listening.
     *
     * @param variant {@code events} or {@code pipe}
     * @return the server
     */
    public static Server create(String variant) {
        ServerOptions options = ServerOptions.builder().noDelay(true).build();
        return switch (variant) {
            case "events" -> Net.createServer(options, socket -> {
                socket.on(Socket.DATA, socket::write);
                socket.on(Socket.ERROR, error -> { });          // a peer reset is routine for a benchmark
            });
            case "pipe" -> Net.createServer(options, socket -> {
                socket.pipe(socket);
                socket.on(Socket.ERROR, error -> { });
            });
            default -> throw new IllegalArgumentException("variant must be events or pipe: " + variant);
        };
    }

    /**
     * Runs the server.
     *
     * @param args {@code PORT [events|pipe] [HOST] [reuseport]}
     */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: EchoServer PORT [events|pipe] [HOST] [reuseport]");
            System.exit(64);
        }
        int port = Integer.parseInt(args[0]);
        String variant = args.length > 1 ? args[1] : "events";
        String host = args.length > 2 ? args[2] : "127.0.0.1";
        boolean reusePort = args.length > 3 && args[3].equals("reuseport");
        Server server = create(variant);
        ListenOptions options = ListenOptions.builder().port(port).host(host).reusePort(reusePort).build();
        server.listen(options, () -> System.out.println(
                "READY port=" + server.address().port() + " variant=" + variant + " transport=loomnet java="
                        + Runtime.version()));
    }
}
