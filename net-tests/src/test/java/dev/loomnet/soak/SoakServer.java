package dev.loomnet.soak;

import dev.loomnet.net.DataListener;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;

/**
 * The one server of the soak run. The first byte a client sends chooses what the server does with the
 * connection ({@link #ECHO}, {@link #PIPE}, ...). Half-open ({@code allowHalfOpen}), so that it can answer a
 * client that ended its side. Errors its connections meet are tallied as expected (resets by clients that
 * reset or were killed) or unexpected (anything else).
 */
final class SoakServer {

    /** Writes back every chunk from a {@code DATA} listener, pausing the socket on backpressure. */
    static final byte ECHO = 1;
    /** {@code socket.pipe(socket)}. */
    static final byte PIPE = 2;
    /** Reads to the client's FIN, then answers the SHA-256 and the byte count of what it read, and ends. */
    static final byte HALF_CLOSE = 3;
    /** Reads until the client resets the connection. */
    static final byte RESET = 4;
    /** Waits: the server-side idle timeout ends the connection with the text {@code timeout}. */
    static final byte TIMEOUT = 5;
    /** Reads whatever comes until the peer (a child JVM) is killed. */
    static final byte SINK = 6;

    /** The idle timeout of a {@link #TIMEOUT} connection. */
    static final Duration IDLE = Duration.ofMillis(100);
    /** A connection of any other kind idle this long is stuck: a failure. */
    static final Duration STUCK = Duration.ofSeconds(60);
    static final String HOST = "127.0.0.1";

    private final Tally tally;
    private final Server server;
    /** Counts each {@link #relisten} twice, before the close and after the listen: odd while one is under way. */
    private final java.util.concurrent.atomic.AtomicInteger epoch = new java.util.concurrent.atomic.AtomicInteger();

    SoakServer(Tally tally) {
        this.tally = tally;
        this.server = Net.createServer(ServerOptions.builder().allowHalfOpen(true).build(), this::accept);
        server.on(Server.ERROR, e -> tally.unexpected("server", e));
    }

    /** Listens on {@code port} (0 for an ephemeral one) and returns the port. */
    int listen(int port) {
        server.listen(port, HOST);
        return server.address().port();
    }

    Server server() {
        return server;
    }

    /**
     * Closes the server and listens on {@code port} again. Connections whose handshake the kernel completed but
     * that were not accepted yet are reset when the listening socket closes (in Node too): their clients see
     * {@code ECONNRESET}, which {@link #relistenedSince} lets them tell from a reset of an accepted connection.
     */
    void relisten(int port) {
        epoch.incrementAndGet();
        server.close();
        listen(port);
        epoch.incrementAndGet();
    }

    /** A mark to pass to {@link #relistenedSince} later. */
    int epoch() {
        return epoch.get();
    }

    /** Whether a {@link #relisten} was under way at {@code mark} or ran since. */
    boolean relistenedSince(int mark) {
        return (mark & 1) == 1 || epoch.get() != mark;
    }

    /** How many times {@link #relisten} closed the server and listened again so far. */
    int relistens() {
        return (epoch.get() + 1) / 2;
    }

    private void accept(Socket socket) {
        Connection c = new Connection(socket);
        socket.on(Socket.ERROR, c::failed).on(Socket.DATA, c);
    }

    /** One accepted connection; its listeners run one at a time on the socket's event thread. */
    private final class Connection implements DataListener {
        private final Socket socket;
        private byte mode;
        private MessageDigest digest;
        private long count;

        Connection(Socket socket) {
            this.socket = socket;
        }

        @Override
        public void onData(byte[] chunk) {
            if (mode != 0) {
                take(chunk);
                return;
            }
            mode = chunk[0];
            start();
            if (chunk.length > 1) {
                take(Arrays.copyOfRange(chunk, 1, chunk.length));
            }
        }

        private void start() {
            if (mode != TIMEOUT) {
                socket.setTimeout(STUCK, () -> {
                    tally.unexpected("server", "connection of mode " + mode + " idle for " + STUCK);
                    socket.destroy();
                });
            }
            switch (mode) {
                case ECHO, RESET, SINK -> socket.on(Socket.END, socket::end);
                case PIPE -> {
                    socket.off(Socket.DATA, this);
                    socket.pipe(socket);                 // ends the socket when it ends
                }
                case HALF_CLOSE -> {
                    digest = Soak.sha256();
                    socket.on(Socket.END, () -> socket.end(ByteBuffer.allocate(40).put(digest.digest())
                            .putLong(count).array()));
                }
                case TIMEOUT -> socket.setTimeout(IDLE, () -> socket.end("timeout"));
                default -> {
                    tally.unexpected("server", "unknown mode " + mode);
                    socket.destroy();
                }
            }
        }

        private void take(byte[] chunk) {
            switch (mode) {
                case ECHO, PIPE -> {                      // PIPE: the rest of the first chunk only
                    if (!socket.write(chunk)) {
                        socket.pause();
                        socket.onceDrain(socket::resume);
                    }
                }
                case HALF_CLOSE -> {
                    digest.update(chunk);
                    count += chunk.length;
                }
                default -> count += chunk.length;
            }
        }

        private void failed(Throwable error) {
            String code = Tally.code(error);
            boolean peerGone = code.equals(NetException.ECONNRESET) || code.equals(NetException.EPIPE);
            if (peerGone && (mode == 0 || mode == RESET || mode == SINK)) {
                tally.expected("server", error);
            } else {
                tally.unexpected("server", error);
            }
        }
    }
}
