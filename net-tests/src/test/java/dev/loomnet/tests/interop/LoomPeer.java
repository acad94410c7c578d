package dev.loomnet.tests.interop;

import static org.awaitility.Awaitility.await;

import dev.loomnet.net.Callback;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * loomnet's side of an interop conversation: {@code src/test/resources/interop/peer.js} written with loomnet.
 * The modes, roles and endpoints are the script's, and so are the lines recorded in {@link #lines()}, so a
 * conversation's transcript from either implementation can be compared line for line with the other's. The
 * script's header describes the protocol; each mode here says only where Java has to differ.
 *
 * <p>One peer serves or makes one connection. {@link #close()} destroys whatever is still open, so a failing
 * test leaves nothing behind for {@code LoomnetExtension} to report.
 */
final class LoomPeer implements AutoCloseable {

    /** What one side of the conversation does; {@link #node()} is the mode's name in peer.js. */
    enum Mode {
        SEND, ECHO, RESET, SINK, EARLY, PIECES, TEXT;

        String node() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final int TAIL = 1 << 20;
    static final int RESET_BYTES = 1 << 20;
    private static final int CHUNK = 64 * 1024;
    /** peer.js's PIECES: UTF-8 text cut inside characters, with malformed bytes and an incomplete end. */
    static final List<byte[]> PIECES = List.of("61e3", "818262f09f", "988063e2", "82ac64c3", "a967e38141",
            "68e381", "42ff69", "6ae381").stream().map(HexFormat.of()::parseHex).toList();

    private final Mode mode;
    private final int size;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicReference<@Nullable Socket> socket = new AtomicReference<>();
    private final AtomicBoolean socketClosed = new AtomicBoolean();
    private final AtomicBoolean serverClosed = new AtomicBoolean();
    private volatile @Nullable Server server;
    private volatile String endpoint = "";

    private LoomPeer(Mode mode, int size) {
        this.mode = mode;
        this.size = size;
    }

    /**
     * Listens on {@code endpoint} ({@code tcp:0}, {@code tcp6:0} or {@code unix:PATH}) and serves one
     * connection in {@code mode}; returns once listening.
     *
     * @param mode     what the accepted socket does
     * @param endpoint where to listen, in peer.js's form
     * @param size     the byte count for {@link Mode#SEND}
     * @return the listening peer; {@link #endpoint()} is where to connect
     */
    static LoomPeer listen(Mode mode, String endpoint, int size) {
        LoomPeer peer = new LoomPeer(mode, size);
        ServerOptions options = ServerOptions.builder().allowHalfOpen(mode == Mode.ECHO).build();
        Server server = Net.createServer(options, s -> {
            peer.server().close();            // one connection, as in peer.js
            peer.start(s, false);
        });
        server.on(Server.CLOSE, () -> peer.serverClosed.set(true));
        peer.server = server;
        AtomicBoolean listening = new AtomicBoolean();
        String[] parts = endpoint.split(":", 2);
        Listener ready = () -> {
            String where = parts[0].equals("unix") ? parts[1] : String.valueOf(server.address().port());
            peer.endpoint = parts[0] + ":" + where;
            peer.log("listening " + where);
            listening.set(true);
        };
        switch (parts[0]) {
            case "tcp" -> server.listen(Integer.parseInt(parts[1]), "127.0.0.1", ready);
            case "tcp6" -> server.listen(Integer.parseInt(parts[1]), "::1", ready);
            case "unix" -> server.listen(Path.of(parts[1]), ready);
            default -> throw new IllegalArgumentException(endpoint);
        }
        await().atMost(NodeProcess.WAIT).pollInterval(Duration.ofMillis(2)).untilTrue(listening);
        return peer;
    }

    /**
     * Connects to {@code endpoint} ({@code tcp:PORT}, {@code tcp6:PORT} or {@code unix:PATH}) and runs
     * {@code mode} once connected.
     *
     * @param mode     what the client does
     * @param endpoint where to connect, in peer.js's form
     * @param size     the byte count for {@link Mode#SEND}
     * @return the connecting peer
     */
    static LoomPeer connect(Mode mode, String endpoint, int size) {
        LoomPeer peer = new LoomPeer(mode, size);
        peer.endpoint = endpoint;
        String[] parts = endpoint.split(":", 2);
        ConnectOptions.Builder to = ConnectOptions.builder();
        switch (parts[0]) {
            case "tcp" -> to.host("127.0.0.1").port(Integer.parseInt(parts[1]));
            case "tcp6" -> to.host("::1").port(Integer.parseInt(parts[1]));
            case "unix" -> to.path(Path.of(parts[1]));
            default -> throw new IllegalArgumentException(endpoint);
        }
        // allowHalfOpen on the socket itself: socket.connect(options) keeps the socket's own options.
        Socket s = Net.socket(SocketOptions.builder().allowHalfOpen(mode == Mode.ECHO).build());
        peer.record(s, true);
        s.once(Socket.CONNECT, () -> peer.run(s));
        s.connect(to.build());
        return peer;
    }

    private Server server() {
        Server s = server;
        if (s == null) {
            throw new IllegalStateException("not a listening peer");
        }
        return s;
    }

    private void start(Socket s, boolean client) throws Exception {
        record(s, client);
        run(s);
    }

    /** Where this peer listens or connects, in peer.js's form ({@code tcp:PORT}, ...). */
    String endpoint() {
        return endpoint;
    }

    /** The transcript so far. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    /**
     * Waits until the connection closed and, for a listening peer, the server too.
     *
     * @return the transcript
     */
    List<String> awaitDone() {
        await().atMost(NodeProcess.WAIT).pollInterval(Duration.ofMillis(2))
                .until(() -> socketClosed.get() && (server == null || serverClosed.get()));
        return lines();
    }

    private void log(String line) {
        lines.add(line);
    }

    /** peer.js's record(): the events, in the same words. */
    private void record(Socket s, boolean client) {
        socket.set(s);
        if (client) {
            s.on(Socket.CONNECT, () -> {
                log("event connect");
                addresses(s);
            });
            s.on(Socket.READY, () -> log("event ready"));
        } else {
            addresses(s);
        }
        if (mode == Mode.TEXT) {
            // After setEncoding, Node's 'data' carries the decoded text and is not emitted for a chunk that
            // only ends in part of a character; loomnet's DATA stays byte[] and TEXT is the decoded event
            // (node-mapping.md, 'data'). So TEXT is what corresponds to Node's 'data' here.
            s.on(Socket.TEXT, text -> log("event data"));
        } else {
            s.on(Socket.DATA, chunk -> log("event data"));
        }
        s.on(Socket.END, () -> log("event end"));
        s.on(Socket.FINISH, () -> log("event finish"));
        s.on(Socket.ERROR, e -> log("event error " + code(e)));
        s.on(Socket.CLOSE, hadError -> {
            log("bytes " + s.bytesRead() + " " + s.bytesWritten());
            log("event close " + hadError);
            socketClosed.set(true);
        });
    }

    private void addresses(Socket s) {
        log("address " + s.localAddress() + " " + s.localFamily() + " " + s.remoteAddress() + " " + s.remoteFamily());
        log("ports " + s.localPort() + " " + s.remotePort());
    }

    private static String code(Throwable e) {
        return e instanceof NetException ne ? ne.code() + " " + ne.syscall() : e.getClass().getName() + " -";
    }

    private void run(Socket s) throws Exception {
        switch (mode) {
            case SEND -> send(s);
            case ECHO -> echo(s);
            case RESET -> {
                s.write(random(RESET_BYTES));
                s.once(Socket.DATA, chunk -> s.resetAndDestroy());
            }
            case SINK -> {
                long[] count = {0};
                s.on(Socket.DATA, chunk -> {
                    count[0] += chunk.length;
                    if (count[0] == RESET_BYTES) {
                        s.write("k");
                    }
                });
            }
            case EARLY -> s.once(Socket.DATA, chunk -> s.write("k"));
            case PIECES -> pieces(s);
            case TEXT -> {
                s.setEncoding(StandardCharsets.UTF_8);
                s.on(Socket.TEXT, text -> {
                    log("text " + codePoints(text));
                    s.write("k");
                });
            }
            default -> throw new AssertionError(mode);
        }
    }

    private void send(Socket s) throws Exception {
        byte[] data = random(size);
        // Listeners of one socket run one at a time with happens-before, so these need no lock.
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        s.on(Socket.DATA, received::writeBytes);
        s.on(Socket.END, () -> log(check(received.toByteArray(), data)));
        new Listener() {
            private int off;

            @Override
            public void handle() {
                while (off < size) {
                    byte[] chunk = Arrays.copyOfRange(data, off, Math.min(off + CHUNK, size));
                    off += chunk.length;
                    if (!s.write(chunk)) {
                        s.onceDrain(this);
                        return;
                    }
                }
                s.end();
            }
        }.handle();
    }

    private String check(byte[] received, byte[] sent) {
        String sentHash = sha256(sent, 0, sent.length);
        if (received.length < size || !sha256(received, 0, size).equals(sentHash)) {
            return "check FAIL echo";
        }
        int nl = -1;
        for (int i = size; i < received.length; i++) {
            if (received[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            return "check FAIL no trailer";
        }
        String trailer = new String(received, size, nl - size, StandardCharsets.ISO_8859_1);
        if (!trailer.equals("sha " + sentHash + " " + size)) {
            return "check FAIL trailer " + trailer;
        }
        if (!Arrays.equals(Arrays.copyOfRange(received, nl + 1, received.length), tail())) {
            return "check FAIL tail of " + (received.length - nl - 1) + " bytes";
        }
        return "check ok";
    }

    private void echo(Socket s) {
        MessageDigest hash = sha256();
        long[] count = {0};
        s.on(Socket.DATA, chunk -> {
            hash.update(chunk);
            count[0] += chunk.length;
            if (!s.write(chunk)) {
                s.pause();
                s.onceDrain(s::resume);
            }
        });
        s.on(Socket.END, () -> {
            String hex = HexFormat.of().formatHex(hash.digest());
            log("received " + count[0] + " " + hex);
            // As in peer.js: the tail leaves from write callbacks, after this listener returned, which only a
            // half-open socket allows (without allowHalfOpen the socket ends itself when END returns).
            byte[] rest = tail();
            new Callback() {
                private int off;

                @Override
                public void done(@Nullable Throwable error) {
                    if (error != null) {
                        return;
                    }
                    if (off < TAIL) {
                        byte[] piece = Arrays.copyOfRange(rest, off, Math.min(off + CHUNK, TAIL));
                        off += piece.length;
                        s.write(piece, this);
                    } else {
                        s.end();
                    }
                }

                void start() {
                    s.write("sha " + hex + " " + count[0] + "\n", this);
                }
            }.start();
        });
    }

    private static void pieces(Socket s) throws Exception {
        int[] next = {0};
        Listener send = () -> {
            if (next[0] < PIECES.size()) {
                s.write(PIECES.get(next[0]++));
            } else if (next[0]++ == PIECES.size()) {
                s.end();
            }
        };
        s.on(Socket.DATA, chunk -> send.handle());      // one "k" per piece; a late one after the end is ignored
        send.handle();
    }

    static byte[] tail() {
        byte[] b = new byte[TAIL];
        for (int k = 0; k < TAIL; k++) {
            b[k] = (byte) (k % 251);
        }
        return b;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /** Node's code point listing of peer.js: {@code U+0061 U+1F600}. */
    static String codePoints(String text) {
        return text.codePoints().mapToObj(c -> String.format("U+%04X", c)).collect(Collectors.joining(" "));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String sha256(byte[] b, int from, int to) {
        MessageDigest d = sha256();
        d.update(b, from, to - from);
        return HexFormat.of().formatHex(d.digest());
    }

    /** Destroys the socket and closes the server if they are still open, and waits for both to close. */
    @Override
    public void close() {
        Socket s = socket.get();
        if (s != null && !socketClosed.get()) {
            s.destroy();
        }
        Server srv = server;
        if (srv != null && srv.listening()) {
            srv.close();
        }
        // A server that never listened (a listen error) emits no CLOSE; one that did emits it after close()
        // and its one connection's close.
        await().atMost(NodeProcess.WAIT).pollInterval(Duration.ofMillis(2))
                .until(() -> (s == null || socketClosed.get())
                        && (srv == null || serverClosed.get() || s == null && !srv.listening()));
    }

    @Override
    public String toString() {
        return "loomnet " + mode.node() + " " + endpoint;
    }
}
