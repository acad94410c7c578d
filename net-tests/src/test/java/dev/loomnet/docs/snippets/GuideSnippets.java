package dev.loomnet.docs.snippets;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;

/** The examples of docs/guide.md. */
final class GuideSnippets {

    private GuideSnippets() {
    }

    static void lateListeners(int port) {
        // tag::guide-late-listeners[]
        Socket client = Net.connect(port, "127.0.0.1");
        client.on(Socket.ERROR, error -> System.err.println("connect failed: " + error.getMessage()));
        client.on(Socket.CLOSE, hadError -> System.out.println("closed"));
        // end::guide-late-listeners[]
    }

    static void options() {
        // tag::guide-options[]
        Socket socket = Net.socket(SocketOptions.builder()
                .allowHalfOpen(true)
                .noDelay(true)
                .highWaterMark(16 * 1024)
                .build());
        socket.connect(ConnectOptions.builder()
                .port(8080)
                .host("127.0.0.1")
                .timeout(Duration.ofSeconds(30))
                .build());
        // end::guide-options[]
    }

    // tag::guide-sender[]
    /** Writes chunks as fast as the peer takes them, and ends. */
    static final class Sender {
        private final Socket socket;
        private final Iterator<byte[]> chunks;

        Sender(Socket socket, Iterator<byte[]> chunks) {
            this.socket = socket;
            this.chunks = chunks;
            socket.on(Socket.DRAIN, this::pump);            // registered once, before any write
        }

        void pump() {
            while (chunks.hasNext()) {
                if (!socket.write(chunks.next())) {
                    return;                                 // DRAIN calls pump() again
                }
            }
            socket.end();
        }
    }

    static Socket send(int port, Iterator<byte[]> chunks) {
        Socket socket = Net.socket();
        Sender sender = new Sender(socket, chunks);
        socket.on(Socket.ERROR, error -> System.err.println("send failed: " + error));
        socket.resume();                                    // read (and drop) replies, so END and CLOSE arrive
        socket.connect(port, "127.0.0.1", sender::pump);
        return socket;
    }
    // end::guide-sender[]

    static void text(Socket socket) {
        // tag::guide-text[]
        socket.setEncoding("latin1");                       // Node's names, any case; "utf8" unless changed
        socket.on(Socket.TEXT, text -> System.out.print(text));
        socket.write("cafe", "hex");                         // the two bytes ca fe
        // end::guide-text[]
    }

    static void errors(Socket socket) {
        // tag::guide-error-listener[]
        socket.on(Socket.ERROR, error -> {
            if (error instanceof NetException e && e.code().equals(NetException.ECONNREFUSED)) {
                System.err.println("nobody listens on " + e.address() + ":" + e.port());
            }
        });
        // end::guide-error-listener[]
        // tag::guide-bad-argument[]
        try {
            Net.connect(70000);
        } catch (NetException e) {
            System.out.println(e.code());                   // ERR_SOCKET_BAD_PORT
        }
        // end::guide-bad-argument[]
    }

    static void timeout(Socket socket) {
        // tag::guide-timeout[]
        socket.setTimeout(Duration.ofSeconds(30), () -> {
            socket.end("idle for too long\n");              // TIMEOUT does not close: we do
        });
        // end::guide-timeout[]
    }

    static void unix(Path dir) {
        // tag::guide-unix[]
        Path path = dir.resolve("app.sock");
        Server server = Net.createServer(s -> s.end("bye")).listen(path);

        Socket client = Net.socket();
        client.on(Socket.DATA, chunk -> System.out.println(new String(chunk, StandardCharsets.UTF_8)));
        client.on(Socket.CLOSE, hadError -> server.close());
        client.connect(path);
        // end::guide-unix[]
    }

    static void unref() {
        // tag::guide-unref[]
        Net.createServer(socket -> socket.end("ok\n")).listen(9090).unref();   // must not hold the JVM up
        // end::guide-unref[]
    }
}
