package dev.loomnet.bench.tls;

import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * The TLS benchmark's loomnet server: {@code TlsEchoLoomnet PORT CERT_PEM KEY_PEM [events|pipe]}, an echo
 * server made with {@link Tls#createServer} from PEM files. {@code events} (default) writes each
 * {@link Socket#DATA} chunk back with Node's manual backpressure (pause when {@code write} returns false,
 * resume on {@link Socket#DRAIN}), as the TCP harness's {@code EchoServer}; {@code pipe} is
 * {@code socket.pipe(socket)}. Prints {@code READY ...} once listening and, at exit, how many handshakes
 * finished, how many resumed a session and how many failed ({@link TlsServer#TLS_CLIENT_ERROR}).
 */
public final class TlsEchoLoomnet {

    private TlsEchoLoomnet() {
    }

    /**
     * Runs the server until the process is stopped.
     *
     * @param args {@code PORT CERT_PEM KEY_PEM [events|pipe]}
     */
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        TlsOptions tls = TlsOptions.builder().cert(Path.of(args[1])).key(Path.of(args[2])).build();
        String variant = args.length > 3 ? args[3] : "events";
        LongAdder secure = new LongAdder();
        LongAdder reused = new LongAdder();
        LongAdder failed = new LongAdder();
        TlsServer server = Tls.createServer(ServerOptions.builder().noDelay(true).build(), tls, socket -> {
            secure.increment();
            if (socket.isSessionReused()) {
                reused.increment();
            }
            socket.on(Socket.ERROR, error -> { });              // a peer reset is routine for a benchmark
            if (variant.equals("pipe")) {
                socket.pipe(socket);
                return;
            }
            socket.on(Socket.DATA, chunk -> {
                if (!socket.write(chunk)) {
                    socket.pause();
                }
            });
            socket.on(Socket.DRAIN, socket::resume);
        });
        server.on(TlsServer.TLS_CLIENT_ERROR, (error, socket) -> {
            failed.increment();
            if (failed.sum() <= 5) {
                System.out.println("TLS_CLIENT_ERROR " + error);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println(
                "STATS secure=" + secure.sum() + " reused=" + reused.sum() + " tls_client_errors=" + failed.sum())));
        server.listen(ListenOptions.builder().port(port).host("127.0.0.1").build(), () -> System.out.println(
                "READY server=loomnet-tls variant=" + variant + " port=" + port + " java=" + Runtime.version()));
    }
}
