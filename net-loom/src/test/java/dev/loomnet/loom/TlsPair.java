package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Two {@link TlsChannel}s over a real connected pair of channels (loopback TCP or a Unix domain socket), for
 * the white-box TLS tests. The reader's {@code flushNeeded} starts a virtual thread that calls {@code flush()},
 * standing in for the connection's writer. {@link #close()} closes both channels (the leak check counts them).
 */
final class TlsPair implements AutoCloseable {

    /** Upper bound of every wait in the TLS tests. */
    static final Duration WAIT = Duration.ofSeconds(20);

    final SocketChannel clientChannel;
    final SocketChannel serverChannel;
    final TlsChannel client;
    final TlsChannel server;
    /** How often each side's reader asked for a flush. */
    final AtomicInteger clientFlushes = new AtomicInteger();
    final AtomicInteger serverFlushes = new AtomicInteger();
    private final @Nullable Path socketFile;

    private TlsPair(SocketChannel clientChannel, SocketChannel serverChannel, TlsContext clientContext,
                    TlsContext serverContext, String host, int port, @Nullable Path socketFile) {
        this.clientChannel = clientChannel;
        this.serverChannel = serverChannel;
        this.socketFile = socketFile;
        TlsChannel[] c = new TlsChannel[1];
        TlsChannel[] s = new TlsChannel[1];
        c[0] = TlsChannel.client(clientContext, clientChannel, host, port, () -> flushSoon(c[0], clientFlushes));
        s[0] = TlsChannel.server(serverContext, serverChannel, () -> flushSoon(s[0], serverFlushes));
        this.client = c[0];
        this.server = s[0];
    }

    /** A client on {@code ch} whose reader's flush requests start a virtual thread that flushes. */
    static TlsChannel clientOn(SocketChannel ch, TlsContext context, String host, int port) {
        TlsChannel[] c = new TlsChannel[1];
        c[0] = TlsChannel.client(context, ch, host, port, () -> flushSoon(c[0], new AtomicInteger()));
        return c[0];
    }

    /** A server on {@code ch}, flushing as {@link #clientOn}. */
    static TlsChannel serverOn(SocketChannel ch, TlsContext context) {
        TlsChannel[] s = new TlsChannel[1];
        s[0] = TlsChannel.server(context, ch, () -> flushSoon(s[0], new AtomicInteger()));
        return s[0];
    }

    private static void flushSoon(TlsChannel tls, AtomicInteger count) {
        count.incrementAndGet();
        Thread.ofVirtual().start(() -> {
            try {
                tls.flush();
            } catch (IOException | RuntimeException e) {
                // the test closed the channel meanwhile
            }
        });
    }

    /** A pair over loopback TCP; the client connects to {@code host} (the name it verifies). */
    static TlsPair tcp(TlsContext clientContext, TlsContext serverContext, String host) throws IOException {
        try (ServerSocketChannel listener = listener()) {
            return tcp(listener, clientContext, serverContext, host);
        }
    }

    /** A loopback listener on a free port, for several pairs to the same port (session resumption). */
    static ServerSocketChannel listener() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return listener;
    }

    /** A pair whose client connected to {@code listener}. */
    static TlsPair tcp(ServerSocketChannel listener, TlsContext clientContext, TlsContext serverContext, String host)
            throws IOException {
        int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        SocketChannel c = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        SocketChannel s = listener.accept();
        return new TlsPair(c, s, clientContext, serverContext, host, port, null);
    }

    /** A pair over a Unix domain socket. */
    static TlsPair unix(TlsContext clientContext, TlsContext serverContext, String host) throws IOException {
        Path file = Files.createTempDirectory("loomnet-tls").resolve("s.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(file));
            SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(file));
            SocketChannel s = listener.accept();
            return new TlsPair(c, s, clientContext, serverContext, host, 0, file);
        }
    }

    /** Runs both handshakes at once; the first failure (server's, then client's) is thrown. */
    void handshake() throws Exception {
        Outcome o = handshakeBoth();
        if (o.server() != null) {
            throw o.server();
        }
        if (o.client() != null) {
            throw o.client();
        }
    }

    /** What each side's handshake threw, null for success. */
    record Outcome(@Nullable NetException client, @Nullable NetException server) {
    }

    /** Runs both handshakes at once and reports each side's failure; a side that fails closes its channel. */
    Outcome handshakeBoth() throws Exception {
        CompletableFuture<@Nullable NetException> s = CompletableFuture.supplyAsync(() -> run(server, serverChannel),
                r -> Thread.ofVirtual().start(r));
        NetException c = run(client, clientChannel);
        try {
            return new Outcome(c, s.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("server handshake", e);
        }
    }

    private static @Nullable NetException run(TlsChannel tls, SocketChannel ch) {
        try {
            tls.handshake();
            return null;
        } catch (NetException e) {
            try {
                ch.close();                               // as the owner would: the peer sees the connection go
            } catch (IOException ignored) {
                // closing is all there is to do
            }
            return e;
        }
    }

    /** Reads from {@code tls} until {@code n} bytes came, or -1; returns them. */
    static byte[] readExactly(TlsChannel tls, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (tls.read(b) < 0) {
                throw new java.io.EOFException("ended after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.array();
    }

    /** Writes {@code text} whole. */
    static void write(TlsChannel tls, String text) throws IOException {
        tls.write(new ByteBuffer[] {ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))});
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            clientChannel.close();
        } finally {
            serverChannel.close();
            if (socketFile != null) {
                Files.deleteIfExists(socketFile);
                Files.deleteIfExists(socketFile.getParent());
            }
        }
    }
}
