package dev.loomnet.loom;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One TCP (or Unix domain) connection of a socket: its channel and addresses, its byte counts, what was read
 * ahead on it, its {@link Writer} and its {@link Lifecycle}. A socket that connects again gets a new link, so
 * nothing of the previous connection needs resetting, and a thread of the previous connection tells that it
 * was left behind by one question: {@link LoomSocket#serves(Link)}.
 *
 * <p>The lifecycle's fields are guarded by the socket's lock; the read-ahead by the socket's read lock; the
 * rest are written once by the connection's own thread, or published through volatile fields. The link is its
 * writer's {@link WriteSink}: the channel is its own, the writer's reports go to {@link Writes}.
 */
final class Link implements WriteSink {

    private static final VarHandle BYTES_READ;
    private static final VarHandle READER;
    /** {@link #reader} once the read loop of this link ended. */
    private static final Object READER_ENDED = new Object();

    static {
        try {
            BYTES_READ = MethodHandles.lookup().findVarHandle(Link.class, "bytesRead", long.class);
            READER = MethodHandles.lookup().findVarHandle(Link.class, "reader", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LoomSocket socket;
    final Lifecycle life;
    final Writer writer;
    /** The connection's own thread once it runs: writes made on it may go out inline. */
    volatile @Nullable Thread thread;
    /** A Unix domain socket: no socket adaptor, no TCP options, no {@code FIONREAD}. */
    private volatile boolean unix;
    private volatile @Nullable SocketChannel channel;
    /** TLS over the channel, from the start of the handshake on; null on a plain connection. */
    private volatile @Nullable TlsChannel tls;
    /**
     * The channel's own address objects (which the JDK keeps for the channel's life anyway), turned into Node's
     * text on each call: an idle socket holds no address strings of its own. Kept after close, as Node keeps
     * {@code remoteAddress}.
     */
    private volatile java.net.@Nullable SocketAddress localAddress;
    private volatile java.net.@Nullable SocketAddress remoteAddress;
    /** The channel is an IPv6 socket: IPv4 peers are shown mapped ({@code ::ffff:127.0.0.1}). */
    private volatile boolean v6;
    /** When the connection was made ({@link System#nanoTime()}), or 0 before: its recorded duration starts here. */
    private volatile long connectedAt;
    /** Changed only under the socket's read lock, with a release store (no fence per read); read with acquire. */
    private long bytesRead;
    /** Bytes read ahead while nobody read the socket, for the first reader; under the read lock. */
    private @Nullable ByteBuffer readAhead;
    /** The read-ahead met the peer's FIN with nothing unread; under the read lock. */
    private boolean readAheadEnded;
    /** The host name or address a client connected to (Node's {@code socket._host}); null if accepted or a path. */
    private volatile @Nullable String host;
    /** The addresses tried by {@code autoSelectFamily}; under the socket's lock. */
    private List<String> attempted = List.of();
    /**
     * Null while the read loop runs and nobody asked for the connection; then the {@link TakeOver} that TLS asked
     * with, or {@link #READER_ENDED}: whichever came first decides who hands the unread bytes over.
     */
    @SuppressWarnings("UnusedVariable")                    // accessed through READER
    private volatile @Nullable Object reader;
    /** A {@code connect} made after this connection was destroyed, waiting for its close; under the lock. */
    private volatile @Nullable ConnectAfterClose afterClose;

    Link(LoomSocket socket, Lifecycle life, int highWaterMark, boolean unix) {
        this.socket = socket;
        this.life = life;
        this.writer = new Writer(this, highWaterMark, socket.lock);
        this.unix = unix;
    }

    boolean unix() {
        return unix;
    }

    /** A never connected socket connects now, to a Unix domain socket or not. */
    void connectsTo(boolean unixDomain) {
        unix = unixDomain;
    }

    /** A client connects to {@code name} (null for a path). */
    void host(@Nullable String name) {
        host = name;
    }

    @Nullable String host() {
        return host;
    }

    /** Under the socket's lock: a {@code connect} waits for this connection's close. */
    void afterClose(ConnectAfterClose connect) {
        afterClose = connect;
    }

    /** A {@code connect} waiting for this connection's close, or null; any thread (volatile read). */
    @Nullable ConnectAfterClose afterClose() {
        return afterClose;
    }

    /** Under the socket's lock: takes the waiting {@code connect}, if any. */
    @Nullable ConnectAfterClose takeAfterClose() {
        ConnectAfterClose c = afterClose;
        afterClose = null;
        return c;
    }

    @Nullable SocketChannel channel() {
        return channel;
    }

    /** The TLS layer of this connection, or null (plain, or not yet handshaking). */
    @Nullable TlsChannel tls() {
        return tls;
    }

    /** The connection's thread starts the TLS handshake: reads and writes go through {@code layer} from now on. */
    void secure(TlsChannel layer) {
        tls = layer;
    }

    /** The TLS socket that took this connection over, or null (one volatile read: the read loop asks per read). */
    @Nullable TakeOver takeOver() {
        return reader instanceof TakeOver t ? t : null;
    }

    /**
     * TLS takes this connection over (under the socket's lock, once): true if the read loop still runs and so
     * will hand over what it reads next, false if it ended and the caller hands over what it left.
     */
    boolean requestTakeOver(TakeOver to) {
        return READER.getAndSet(this, to) == null;
    }

    /** The read loop ends: the take-over asked for meanwhile, which it must now hand its unread bytes to, or null. */
    @Nullable TakeOver readerEnded() {
        Object was = READER.compareAndExchange(this, null, READER_ENDED);
        return was instanceof TakeOver t ? t : null;
    }

    /**
     * One read of the connection (the input stream's: the read loop reads its channel or TLS layer directly),
     * under the read lock. A TLS read waits for the handshake, which the connection's thread runs.
     */
    int read(ByteBuffer dst) throws IOException {
        if (takeOver() != null) {
            return -1;                                    // the TLS socket reads this connection now
        }
        TlsChannel t = tls;
        if (t != null) {
            t.awaitHandshake();
            return t.read(dst);
        }
        SocketChannel ch = channel;
        if (ch == null) {
            throw new java.nio.channels.ClosedChannelException();
        }
        return ch.read(dst);
    }

    /** Takes an open channel, connected or not yet. */
    void attach(SocketChannel ch) {
        channel = ch;
    }

    /** The channel is connected: keeps its addresses. */
    void connected(SocketChannel ch, boolean v6Socket) {
        channel = ch;
        v6 = v6Socket;
        connectedAt = System.nanoTime();
        try {
            localAddress = ch.getLocalAddress();
            remoteAddress = ch.getRemoteAddress();
        } catch (IOException e) {
            // closed under us: the read loop finds out and destroys the socket
        }
    }

    java.net.@Nullable SocketAddress localAddress() {
        return localAddress;
    }

    java.net.@Nullable SocketAddress remoteAddress() {
        return remoteAddress;
    }

    boolean v6() {
        return v6;
    }

    /** When the connection was made, in {@link System#nanoTime()} terms; 0 if it never was. */
    long connectedAt() {
        return connectedAt;
    }

    /** Closes the channel, if any; the descriptor is released either way. */
    void close() {
        SocketChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        }
    }

    /**
     * Writes what the kernel takes now, without blocking: the channel is switched for one attempt. On TLS the
     * records the kernel did not take are left for a writer thread (the channel's {@code flushNeeded} hook).
     */
    @Override
    public int writeNow(ByteBuffer data) throws IOException {
        TlsChannel t = tls;
        if (t != null) {
            return (int) t.writeNow(data);
        }
        SocketChannel ch = open();
        ch.configureBlocking(false);
        try {
            return ch.write(data);
        } finally {
            ch.configureBlocking(true);
        }
    }

    @Override
    public long write(ByteBuffer[] buffers, int offset, int length) throws IOException {
        TlsChannel t = tls;
        if (t != null) {
            return t.write(offset == 0 && length == buffers.length
                    ? buffers : Arrays.copyOfRange(buffers, offset, offset + length));
        }
        SocketChannel ch = open();
        return length == 1 ? ch.write(buffers[offset]) : ch.write(buffers, offset, length);
    }

    @Override
    public void shutdownOutput() throws IOException {
        TlsChannel t = tls;
        if (t != null) {
            try {
                t.shutdownOutput();
            } catch (IOException e) {
                // The close_notify could not be written: the peer is gone (EPIPE, ECONNRESET), which the read side
                // reports if it matters. Node ignores write errors after its TLS shutdown as well.
            }
        } else {
            open().shutdownOutput();
        }
    }

    @Override
    public boolean finMayBlock() {
        return tls != null;
    }

    @Override
    public void flush() throws IOException {
        TlsChannel t = tls;
        if (t != null) {
            t.flush();
        }
    }

    private SocketChannel open() throws java.nio.channels.ClosedChannelException {
        SocketChannel ch = channel;
        if (ch == null) {
            throw new java.nio.channels.ClosedChannelException();
        }
        return ch;
    }

    long bytesRead() {
        return (long) BYTES_READ.getAcquire(this);
    }

    /** Under the read lock: one reader at a time, so a release store is enough. */
    void addBytesRead(int n) {
        BYTES_READ.setRelease(this, bytesRead + n);
    }

    /** Under the read lock: keeps bytes read while nobody reads. */
    void keepReadAhead(byte[] bytes) {
        readAhead = ByteBuffer.wrap(bytes);
    }

    /** Under the read lock: the read-ahead met EOF with nothing unread. */
    void readAheadEnded() {
        readAheadEnded = true;
    }

    /** Under the read lock: whether the read-ahead met EOF (the input stream then returns -1). */
    boolean readAheadEndedAlready() {
        return readAheadEnded;
    }

    /** Whether nothing is read ahead and no EOF was met that way: the read loop may read ahead. */
    boolean readAheadEmpty() {
        return readAhead == null && !readAheadEnded;
    }

    /**
     * Whether bytes read ahead may be waiting, without the lock: for the read loop, which alone sets them (so it
     * sees its own write); a stale true only costs the locked {@link #takeReadAhead()}.
     */
    boolean mayHaveReadAhead() {
        return readAhead != null;
    }

    /** Under the read lock: what is left of the read-ahead, as a chunk, or null. */
    @SuppressWarnings("ByteBufferBackingArray" /* readAhead wraps a whole array: offset 0 */)
    byte @Nullable [] takeReadAhead() {
        ByteBuffer r = readAhead;
        if (r == null) {
            return null;
        }
        readAhead = null;
        return r.position() == 0 ? r.array() : Arrays.copyOfRange(r.array(), r.position(), r.limit());
    }

    /** Under the read lock: copies up to {@code len} read-ahead bytes into {@code b}; 0 when there are none. */
    int takeReadAhead(byte[] b, int off, int len) {
        ByteBuffer r = readAhead;
        if (r == null) {
            return 0;
        }
        int n = Math.min(len, r.remaining());
        r.get(b, off, n);
        if (!r.hasRemaining()) {
            readAhead = null;
        }
        return n;
    }

    /** Under the socket's lock: records an address tried by {@code autoSelectFamily}. */
    void attempted(String ipAndPort) {
        if (attempted.isEmpty()) {
            attempted = new ArrayList<>(2);
        }
        attempted.add(ipAndPort);
    }

    /** The addresses tried so far. */
    List<String> attempted() {
        socket.lock.lock();
        try {
            return List.copyOf(attempted);
        } finally {
            socket.lock.unlock();
        }
    }

    @Override
    public void flushed(long bytes, List<dev.loomnet.net.Callback> callbacks) {
        Writes.flushed(socket, callbacks);
    }

    @Override
    public void progressed() {
        socket.touched();
    }

    @Override
    public void drained() {
        Writes.drained(socket, this);
    }

    @Override
    public void finished() {
        Writes.finished(socket, this);
    }

    @Override
    public void rejected(dev.loomnet.net.@Nullable Callback callback) {
        Writes.rejected(socket, callback);
    }

    @Override
    public void writeAfterEnd(dev.loomnet.net.@Nullable Callback callback) {
        Writes.afterEnd(socket, this, callback);
    }

    @Override
    public void failed(IOException error) {
        Writes.failed(socket, this, error);
    }

    @Override
    public String writerName() {
        return "writer-" + socket.id;
    }

    /** Whether {@code ch} is a Unix domain channel (no TCP options). */
    static boolean isUnix(SocketChannel ch) {
        try {
            return !(ch.getLocalAddress() instanceof InetSocketAddress);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "Link[" + life + "]";
    }
}
