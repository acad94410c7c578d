package dev.loomnet.examples;

import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.OnRead;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * A TCP echo server for benchmarks: {@code EchoServer PORT [events|pipe|streams|onread] [HOST] [reuseport]}. Port 0
 * picks an ephemeral port. It prints {@code READY port=<port> variant=<variant>} once listening and runs until the
 * process is stopped. With {@code reuseport} it listens with {@code SO_REUSEPORT}
 * ({@link ListenOptions#reusePort()}), so several processes can serve one port and the kernel spreads the
 * connections among them.
 * <ul>
 *   <li>{@code events} (default): a {@link Socket#DATA} listener writes each chunk back, pausing the socket
 *       when {@code write} returns {@code false} and resuming it on {@link Socket#DRAIN} (Node's manual
 *       backpressure; without it a fast sender fills the server's memory);</li>
 *   <li>{@code pipe}: {@code socket.pipe(socket)}, with backpressure from the write queue;</li>
 *   <li>{@code streams}: the blocking style, straight-line code in the connection listener on the
 *       connection's own thread: {@link Socket#inputStream()} copied to {@link Socket#outputStream()} through
 *       one reused array (the output stream blocks at the high-water mark), then the output closed, which ends
 *       the socket.</li>
 *   <li>{@code onread}: Node's {@code onread} option, each read into one reused array per connection and
 *       written back from the callback (a copy of the bytes read), pausing while {@code write} returns
 *       {@code false}. A server's sockets take no {@code onread} (as in Node), so this variant accepts with a
 *       plain {@link ServerSocketChannel} on a thread of its own and hands each connection to
 *       {@link Net#socket(SocketChannel, SocketOptions)}; {@code reuseport} does not apply to it.</li>
 * </ul>
 */
public final class EchoServer {

    private EchoServer() {
    }

    /**
     * Creates an echo server, not yet listening.
     *
     * @param variant {@code events}, {@code pipe} or {@code streams} ({@code onread} is not a {@link Server}: see
     *                {@link #serveOnRead})
     * @return the server
     */
    public static Server create(String variant) {
        ServerOptions options = ServerOptions.builder().noDelay(true).build();
        return switch (variant) {
            case "events" -> Net.createServer(options, socket -> {
                // Node's manual backpressure: stop reading while the write queue is full, go on at DRAIN.
                socket.on(Socket.DATA, chunk -> {
                    if (!socket.write(chunk)) {
                        socket.pause();
                    }
                });
                socket.on(Socket.DRAIN, socket::resume);
                socket.on(Socket.ERROR, error -> { });          // a peer reset is routine for a benchmark
            });
            case "pipe" -> Net.createServer(options, socket -> {
                socket.pipe(socket);
                socket.on(Socket.ERROR, error -> { });
            });
            case "streams" -> Net.createServer(options, socket -> {
                socket.on(Socket.ERROR, error -> { });
                try (OutputStream out = socket.outputStream()) {  // close() ends the socket after a flush
                    socket.inputStream().transferTo(out);          // returns at the peer's end
                } catch (IOException e) {
                    // a reset: the socket is destroyed already, and its ERROR went to the listener above
                }
            });
            default -> throw new IllegalArgumentException("variant must be events, pipe or streams: " + variant);
        };
    }

    /**
     * The {@code onread} variant: accepts on a (non-daemon) platform thread until the process ends and echoes every read from
     * the {@code onread} callback.
     *
     * @param host the address to listen on
     * @param port the port, 0 for an ephemeral one
     * @return the listening channel (its accept thread runs)
     * @throws IOException if binding fails
     */
    public static ServerSocketChannel serveOnRead(String host, int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress(host, port), 4096);
        Thread.ofPlatform().name("echo-onread-accept").start(() -> {
            try {
                for (;;) {
                    SocketChannel ch = server.accept();
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    // the callback may run before Net.socket returns: it waits for the socket (once)
                    CompletableFuture<Socket> self = new CompletableFuture<>();
                    OnRead onread = OnRead.of(new byte[64 * 1024], (n, buffer) ->
                            self.join().write(Arrays.copyOf(buffer, n)));   // false pauses the socket
                    Socket socket = Net.socket(ch, SocketOptions.builder().onread(onread).build());
                    socket.on(Socket.DRAIN, socket::resume);
                    socket.on(Socket.ERROR, error -> { });
                    self.complete(socket);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return server;
    }

    /**
     * Runs the server.
     *
     * @param args {@code PORT [events|pipe|streams|onread] [HOST] [reuseport]}
     * @throws IOException if the {@code onread} variant cannot bind
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: EchoServer PORT [events|pipe|streams|onread] [HOST] [reuseport]");
            System.exit(64);
        }
        int port = Integer.parseInt(args[0]);
        String variant = args.length > 1 ? args[1] : "events";
        String host = args.length > 2 ? args[2] : "127.0.0.1";
        if (variant.equals("onread")) {
            ServerSocketChannel server = serveOnRead(host, port);
            System.out.println("READY port=" + ((InetSocketAddress) server.getLocalAddress()).getPort()
                    + " variant=onread transport=loomnet java=" + Runtime.version());
            return;
        }
        boolean reusePort = args.length > 3 && args[3].equals("reuseport");
        Server server = create(variant);
        ListenOptions options = ListenOptions.builder().port(port).host(host).reusePort(reusePort).build();
        server.listen(options, () -> System.out.println(
                "READY port=" + server.address().port() + " variant=" + variant + " transport=loomnet java="
                        + Runtime.version()));
    }
}
