package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import dev.loomnet.net.Socket;
import dev.loomnet.net.TlsOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A plain connection that a TLS socket takes over (STARTTLS: Node's {@code tls.connect({socket})} and
 * {@code new tls.TLSSocket(socket, {isServer: true})}): how its channel passes from the plain socket's read loop
 * and writer to the TLS socket's thread.
 *
 * <p>The plain read loop may be parked in a read when the upgrade is asked for, and the JDK cannot wake a
 * blocking read without closing the channel. So it is not woken: what that read returns (the peer's first
 * handshake record, which the peer sends only after this side's hello or its STARTTLS answer) is handed over
 * instead of emitted, and the read loop ends; a read loop parked for another reason (paused, nobody reading)
 * wakes and hands over what it kept. The TLS socket's first read takes the handed bytes ({@link #read}) before
 * it reads the channel itself, so no byte is lost or read twice. The plain writer sends what was queued before
 * the upgrade and refuses later writes ({@link Writer#handOver}); the handshake's first record waits for it.
 *
 * <p>Afterwards the plain socket is the connection's plain side: destroying it destroys the TLS socket, its
 * idle timer counts the TLS socket's activity, and it closes, without an error, right after the TLS socket.
 */
final class TakeOver {

    /** What the plain read loop left: bytes read and not emitted, and the error its last read ended with. */
    private record Handed(ByteBuffer bytes, @Nullable IOException error) {
    }

    final LoomSocket plain;
    final Link plainLink;
    final LoomTlsSocket tls;
    /** This side runs the server's half of the handshake. */
    final boolean server;
    private final CompletableFuture<Handed> handed = new CompletableFuture<>();
    /** The handed bytes not read yet; the TLS socket's reader only, null until the first read. */
    private @Nullable ByteBuffer rest;

    private TakeOver(LoomSocket plain, Link plainLink, LoomTlsSocket tls, boolean server) {
        this.plain = plain;
        this.plainLink = plainLink;
        this.tls = tls;
        this.server = server;
    }

    /**
     * Starts TLS on {@code socket}'s connection: checks that it can be taken over, takes it (its read loop and
     * writer stop at once), and starts the TLS socket's thread, which waits for the connection if it is still
     * being made.
     *
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for a TLS socket or another provider's socket,
     *                      {@code ERR_SOCKET_CLOSED} for one that is destroyed, ended, never connected or taken
     *                      over already
     */
    static LoomTlsSocket start(Socket socket, TlsOptions options, boolean server) {
        if (!(socket instanceof LoomSocket plain) || socket instanceof LoomTlsSocket) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE, "The \"socket\" argument must be a plain "
                    + "socket of this provider (a TLS socket cannot be upgraded again). Received " + socket);
        }
        TlsContext context = TlsSetup.context(options, server);
        LoomTlsSocket tls = new LoomTlsSocket(plain.options, null, context);
        TakeOver to;
        boolean readerRuns;
        plain.lock.lock();
        try {
            Link l = plain.link;
            Lifecycle.Phase phase = l.life.phase();
            boolean usable = (phase == Lifecycle.Phase.OPEN || (phase.connecting() && !server))
                    && !l.life.writeEnded() && l.takeOver() == null && l.tls() == null;
            if (!usable || !l.writer.handOver()) {
                throw new NetException(NetException.ERR_SOCKET_CLOSED, "The socket cannot be upgraded to TLS: it is "
                        + (l.takeOver() != null ? "upgraded already" : phase.connecting() ? "connecting"
                        : phase == Lifecycle.Phase.OPEN ? "ended" : "not connected"));
            }
            to = new TakeOver(plain, l, tls, server);
            tls.upgradedFrom(to);
            readerRuns = l.requestTakeOver(to);
            plain.inbound.signal();                       // a read loop parked for the flow wakes and hands over
        } finally {
            plain.lock.unlock();
        }
        if (!readerRuns) {
            to.handOverLeftovers(null);
        }
        Connect.upgrade(tls, to);
        return tls;
    }

    /**
     * Called by the plain read loop, or by {@link #start} when it had ended: hands over the bytes read ahead and
     * not emitted, then {@code more} (read after the upgrade was asked for). Only the first call counts.
     */
    void handOverLeftovers(byte @Nullable [] more) {
        handOver(more, null);
    }

    /** {@link #handOverLeftovers} for a read that failed: the TLS socket's first read throws {@code error}. */
    void handOver(byte @Nullable [] more, @Nullable IOException error) {
        byte[] early;
        plain.readLock.lock();
        try {
            early = plainLink.takeReadAhead();
        } finally {
            plain.readLock.unlock();
        }
        byte[] bytes = early == null ? more : more == null ? early : concat(early, more);
        handed.complete(new Handed(ByteBuffer.wrap(bytes == null ? new byte[0] : bytes), error));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /**
     * The plain side is connected (or failed): returns its channel once what its writer queued before the
     * upgrade went out, or null if it never connected or was destroyed.
     */
    @Nullable SocketChannel awaitPlainReady() {
        if (!plain.inbound.awaitConnected(plainLink) || !plainLink.writer.awaitFlushed()) {
            return null;
        }
        return plainLink.channel();
    }

    /**
     * The host the plain socket connected to (Node's {@code socket._host}), else localhost: the name a client
     * checks the server's certificate against and sends as SNI, unless the options' {@code servername} says
     * otherwise.
     */
    String host() {
        return Objects.requireNonNullElse(plainLink.host(), "localhost");
    }

    /** The peer's port (0 on a Unix domain socket): with the host, the key of the client's session cache. */
    int port() {
        return plainLink.remoteAddress() instanceof java.net.InetSocketAddress a ? a.getPort() : 0;
    }

    /**
     * The TLS socket's network read: the handed bytes first (waiting for the plain read loop to hand them),
     * then the channel.
     */
    int read(SocketChannel channel, ByteBuffer dst) throws IOException {
        ByteBuffer r = rest;
        if (r == null) {
            Handed h = handed.join();
            r = h.bytes();
            rest = r;
            if (h.error() != null && !r.hasRemaining()) {
                throw h.error();
            }
        }
        if (!r.hasRemaining()) {
            return channel.read(dst);
        }
        int n = Math.min(r.remaining(), dst.remaining());
        dst.put(r.slice(r.position(), n));
        r.position(r.position() + n);
        return n;
    }

    /** The TLS socket closed: the plain side closes too, without an error of its own. */
    void tlsClosed() {
        Closer.destroy(plain, plainLink, null, false);
    }
}
