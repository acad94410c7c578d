package dev.loomnet.loom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.jspecify.annotations.Nullable;

/**
 * The reading half of a {@link TlsChannel}: reads records from the channel (blocking), unwraps them and hands
 * out plaintext. Used by one thread at a time: the handshake thread, then the reader (the connection's
 * thread); so it has no lock. Its only contact with the writing half is {@link TlsOutbound#wrapForReader}.
 *
 * <p>Buffers: {@link #netIn} holds received bytes not yet unwrapped (a partial record stays there across reads),
 * sized from {@code getPacketBufferSize()} and grown on {@code BUFFER_UNDERFLOW} when a record is larger;
 * {@link #appIn} holds plaintext unwrapped but not yet delivered, sized from {@code getApplicationBufferSize()}
 * and grown on {@code BUFFER_OVERFLOW}. A caller's buffer with room for a whole record is unwrapped into
 * directly, skipping the copy.
 */
final class TlsInbound {

    /** TLS record content type {@code handshake}. */
    private static final byte HANDSHAKE = 22;
    /** TLS record content type {@code alert}. */
    private static final byte ALERT = 21;
    /** How many of the peer's first bytes are kept to recognise an HTTP request. */
    private static final int FIRST_BYTES = 8;

    private final SSLEngine engine;
    private final SocketChannel channel;
    private final TlsOutbound out;
    private final Runnable flushNeeded;
    /** Received, not yet unwrapped; read mode between calls. */
    private ByteBuffer netIn;
    /** Unwrapped, not yet delivered; read mode between calls. */
    private ByteBuffer appIn;
    /** The bytes in {@link #netIn} end in a partial record: read before unwrapping again. */
    private boolean needMore;
    /** {@code close_notify} or EOF seen: {@link #read} returns -1 once {@link #appIn} is empty. */
    private boolean ended;
    private boolean closeNotified;
    private byte @Nullable [] firstBytes;
    /** A plain connection's read loop hands over the first bytes (STARTTLS), or null: the channel alone. */
    private @Nullable TakeOver takenFrom;
    /**
     * After a TLS 1.2 handshake, where record types are visible: a handshake record is a renegotiation (refused),
     * an alert record is the peer's end (see {@link #read}).
     */
    private boolean tls12;

    TlsInbound(SSLEngine engine, SocketChannel channel, TlsOutbound out, Runnable flushNeeded) {
        this.engine = engine;
        this.channel = channel;
        this.out = out;
        this.flushNeeded = flushNeeded;
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize()).flip();
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
    }

    /**
     * Reads plaintext into {@code dst}, blocking until at least one byte is there.
     *
     * @return the bytes read (at least 1 when {@code dst} has room), or -1 after the peer's {@code close_notify}
     *         or the channel's EOF (both are Node's {@code end})
     */
    int read(ByteBuffer dst) throws IOException {
        while (true) {
            if (appIn.hasRemaining()) {
                return move(appIn, dst);
            }
            if (ended) {
                return -1;
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            if (needMore || !netIn.hasRemaining()) {
                if (!fill()) {
                    ended = true;                         // EOF without close_notify: Node ends the stream too
                    return -1;
                }
                continue;
            }
            if (tls12 && netIn.get(netIn.position()) == HANDSHAKE) {
                throw TlsErrors.renegotiationRefused();
            }
            if (tls12 && netIn.get(netIn.position()) == ALERT) {
                // Kept from the engine: the JDK answers a TLS 1.2 close_notify by closing this side's output
                // (its reply included), which would end Node's half-open stream, where the peer's end leaves
                // this side free to write on. A peer sends nothing after an alert, close_notify or fatal, so
                // this record is the end either way; a fatal one then reads as END rather than as its error.
                ended = true;
                closeNotified = true;
                return -1;
            }
            boolean direct = dst.remaining() >= appIn.capacity();
            ByteBuffer into = direct ? dst : appIn.clear();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, into);
            } finally {
                if (!direct) {
                    appIn.flip();
                }
            }
            switch (r.getStatus()) {
                case OK -> { }
                case CLOSED -> {
                    ended = true;
                    closeNotified = true;
                }
                case BUFFER_UNDERFLOW -> {
                    needMore = true;
                    netIn = roomFor(netIn, engine.getSession().getPacketBufferSize());
                }
                case BUFFER_OVERFLOW -> appIn = ByteBuffer.allocate(Math.max(appIn.capacity() * 2,
                        engine.getSession().getApplicationBufferSize())).flip();
            }
            afterUnwrap(r.getHandshakeStatus());
            if (direct && r.bytesProduced() > 0) {
                return r.bytesProduced();
            }
        }
    }

    /**
     * One handshake step: unwraps a record, reading from the channel until a whole one is there. Plaintext
     * that arrives with the last handshake records is kept for the first {@link #read}.
     *
     * @return the handshake status after the unwrap
     * @throws java.io.EOFException when the channel ended before the handshake did
     */
    HandshakeStatus unwrapHandshake() throws IOException {
        while (true) {
            if (needMore || !netIn.hasRemaining()) {
                if (!fill()) {
                    throw new java.io.EOFException("the peer closed the connection during the TLS handshake");
                }
                continue;
            }
            appIn.compact();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
            }
            switch (r.getStatus()) {
                case OK -> {
                    return r.getHandshakeStatus();
                }
                case CLOSED -> {
                    ended = true;
                    closeNotified = true;
                    throw new java.io.EOFException("close_notify during the TLS handshake");
                }
                case BUFFER_UNDERFLOW -> {
                    needMore = true;
                    netIn = roomFor(netIn, engine.getSession().getPacketBufferSize());
                }
                case BUFFER_OVERFLOW -> appIn = roomFor(appIn, Math.max(appIn.capacity() * 2,
                        engine.getSession().getApplicationBufferSize()));
            }
        }
    }

    /**
     * After a TLS 1.2 handshake: from now on a handshake record is the peer trying to renegotiate, and an alert
     * record its end.
     */
    void afterTls12Handshake() {
        tls12 = true;
    }

    /** Whether the stream ended with the peer's {@code close_notify} (false: EOF, or not ended). */
    boolean closeNotified() {
        return closeNotified;
    }

    /** The peer's first bytes (up to 8), or null before any arrived. */
    byte @Nullable [] firstBytes() {
        return firstBytes;
    }

    /** Runs what an unwrap left to do: delegated tasks, and hands the engine's need to wrap to the writer. */
    private void afterUnwrap(HandshakeStatus status) throws IOException {
        HandshakeStatus s = TlsChannel.runTasks(engine, status);
        if (s == HandshakeStatus.NEED_WRAP && out.wrapForReader()) {
            flushNeeded.run();
        }
    }

    /** The first bytes come from the plain read loop that {@code from} took the channel from. */
    void takenFrom(TakeOver from) {
        takenFrom = from;
    }

    /** Reads what the channel has into {@link #netIn}; false at EOF. */
    private boolean fill() throws IOException {
        netIn.compact();
        if (!netIn.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(netIn.capacity() * 2);
            netIn.flip();
            bigger.put(netIn);
            netIn = bigger;
        }
        int n;
        try {
            TakeOver from = takenFrom;
            n = from == null ? channel.read(netIn) : from.read(channel, netIn);
        } finally {
            netIn.flip();
        }
        if (n > 0) {
            needMore = false;
            if (firstBytes == null) {
                byte[] first = new byte[Math.min(netIn.remaining(), FIRST_BYTES)];
                netIn.get(netIn.position(), first);
                firstBytes = first;
            }
        }
        return n >= 0;
    }

    /** {@code b} (read mode) with a capacity of at least {@code size}, its bytes kept. */
    private static ByteBuffer roomFor(ByteBuffer b, int size) {
        if (b.capacity() >= size) {
            return b;
        }
        ByteBuffer bigger = ByteBuffer.allocate(size);
        bigger.put(b);
        return bigger.flip();
    }

    private static int move(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        ByteBuffer slice = from.slice(from.position(), n);
        to.put(slice);
        from.position(from.position() + n);
        return n;
    }
}
