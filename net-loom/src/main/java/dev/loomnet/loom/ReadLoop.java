package dev.loomnet.loom;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.OnRead;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The body of a connection's own virtual thread, for one {@link Link}: connecting first (a client, through
 * {@link Connector}) or announcing the connection (accepted), then the read loop, which reads, emits
 * {@code data} inline (no thread switch when the socket's events are idle), waits while paused, and emits
 * {@code end} at EOF. Reading never waits for writing.
 *
 * <p>Read buffer policy: one heap buffer per connection, sized adaptively between {@value #MIN_READ} and
 * {@value #MAX_READ} bytes. The first read uses {@value #MIN_READ} bytes, so that a connection that sends
 * little and then idles never allocates more (a bigger first buffer was garbage for every such connection,
 * and garbage made while connections are set up grows the heap G1 commits); if that first read fills it,
 * the next buffer is {@value #INITIAL_READ} bytes. After that the buffer is doubled when a read fills it (that
 * full array then becomes the {@code data} chunk as it is, without a copy), and cut to twice the size of the
 * read (at least {@value #MIN_READ}) when a read uses a quarter or less. A connection that goes idle after
 * small messages therefore parks with a small buffer, while a streaming one reads in large chunks. A read that
 * fills a smaller buffer is topped up from what the kernel already holds ({@link #topUp}, {@link #topUpUnix}),
 * so a small buffer does not split a message that arrived whole (Node reads up to 64 KiB at once). Each
 * {@code data} chunk is a fresh array of exactly the bytes read (the full buffer itself, or a copy of a partial
 * read), which the listeners own. The exception is a socket whose only consumer is one pipe: no chunk is made,
 * the pipe borrows the buffer for the duration of the event and the buffer is reused ({@link #lend}).
 */
final class ReadLoop implements Runnable, Task.WithArg<Object> {

    /** How the connection came to be, which decides what the thread does before reading. */
    enum Origin { CLIENT, ACCEPTED, ADOPTED, UPGRADED }


    static final int MIN_READ = 128;
    /** The buffer after a first read that filled {@link #MIN_READ} bytes. */
    static final int INITIAL_READ = 2048;
    static final int MAX_READ = 32 * 1024;

    private final LoomSocket socket;
    private final Link link;
    private final Origin origin;
    private final @Nullable ConnectOptions options;
    private final @Nullable SocketChannel channel;
    private final boolean v6Socket;
    /** The plain connection an {@link Origin#UPGRADED} socket takes over. */
    private final @Nullable TakeOver from;
    /** A chunk read but not emitted because TLS took the connection over: handed to it when the loop ends. */
    private byte @Nullable [] unsent;
    /** A failed {@link #topUp} read, thrown by the next turn of the read loop once the bytes before it went. */
    private @Nullable IOException readError;
    /**
     * A chunk its event held back ({@link Inbound#emitData}), for the read loop to emit again once the socket
     * flows; set by the event, read by the read loop after {@code runAndWait} returned (which orders the two).
     */
    private byte @Nullable [] held;

    private ReadLoop(LoomSocket socket, Link link, Origin origin, @Nullable ConnectOptions options,
                     @Nullable SocketChannel channel, boolean v6Socket, @Nullable TakeOver from) {
        this.socket = socket;
        this.link = link;
        this.origin = origin;
        this.options = options;
        this.channel = channel;
        this.v6Socket = v6Socket;
        this.from = from;
    }

    /** Starts the thread of a client's connection, which connects first. */
    static void startClient(LoomSocket socket, Link link, ConnectOptions options) {
        start(new ReadLoop(socket, link, Origin.CLIENT, options, null, false, null));
    }

    static void startAccepted(LoomSocket socket, Link link, SocketChannel ch, boolean v6Socket) {
        start(new ReadLoop(socket, link, Origin.ACCEPTED, null, ch, v6Socket, null));
    }

    static void startAdopted(LoomSocket socket, Link link, SocketChannel ch) {
        start(new ReadLoop(socket, link, Origin.ADOPTED, null, ch, false, null));
    }

    /** Starts the thread of a TLS socket taking over a plain connection, which waits for it first. */
    static void startUpgraded(LoomSocket socket, Link link, TakeOver from) {
        start(new ReadLoop(socket, link, Origin.UPGRADED, null, null, false, from));
    }

    private static void start(ReadLoop c) {
        Threads.startVirtualSelfCounted("socket-", c.socket.id, c);
    }

    /**
     * The thread's body, and the read loop itself. An idle connection is this thread parked in
     * {@code ch.read}, and every frame under that call stays on the heap as the thread's stack chunk for as
     * long as it waits; so the loop lives here, directly under {@link Thread}'s own frames, rather than in a
     * method called by a per-origin method called by this one (two frames fewer; with interpreted or C1
     * frames, as in a freshly started server, each costs a few hundred bytes per idle connection). What runs
     * once per chunk, and everything before the first read, is in methods that have returned by the time the
     * thread parks.
     */
    @Override
    public void run() {
        try {
            SocketChannel ch = begin();
            TlsChannel tls = link.tls();
            OnRead onread = socket.options.onread();
            ByteBuffer buffer = onread == null ? ByteBuffer.allocate(MIN_READ) : ByteBuffer.wrap(onread.nextBuffer());
            if (ch != null && onread == null && !readAheadUntilRead(ch, buffer)) {
                return;
            }
            while (ch != null && socket.inbound.awaitFlowing(link)) {
                int n;
                socket.readLock.lock();
                try {
                    if (!socket.inbound.flowing()) {
                        continue;                         // paused (or the input stream took over) meanwhile
                    }
                    if (readError != null) {
                        throw readError;                  // a top-up read failed: reported after its bytes
                    }
                    n = tls == null ? ch.read(buffer) : tls.read(buffer);
                    if (handedOver(buffer, n, null)) {
                        return;
                    }
                    if (n == buffer.capacity() && onread == null && n < MAX_READ && tls == null) {
                        buffer = link.unix() ? topUpUnix(ch, buffer) : topUp(ch, buffer);
                        n = buffer.position();
                    }
                    if (n > 0) {
                        socket.inbound.readBytes(link, n);        // under readLock: the counter has one writer at a time
                    }
                } catch (IOException e) {
                    if (!handedOver(buffer, 0, e)) {
                        Closer.fail(socket, link, Errors.io(e, "read"));
                    }
                    return;
                } finally {
                    socket.readLock.unlock();
                }
                if (n < 0) {
                    if (socket.inbound.awaitFlowing(link)) {
                        socket.events.runAndWait(() -> socket.inbound.emitEnd(link));
                    }
                    return;
                }
                if (n > 0) {
                    buffer = deliver(buffer, n, onread);
                    if (buffer == null) {
                        return;                           // closed while paused
                    }
                }
            }
        } catch (Throwable t) {
            Closer.fail(socket, link, t);
        } finally {
            TakeOver to = link.readerEnded();
            if (to != null) {
                to.handOverLeftovers(held != null ? held : unsent);
            }
            socket.events.abandonCurrentThread();
            Threads.ended();
        }
    }

    /**
     * After a read: if TLS took the connection over meanwhile, hands it what this read returned (its bytes, or
     * its failure), and the loop must end; false when the connection is still this loop's.
     */
    @SuppressWarnings("ByteBufferBackingArray")          // heap read buffers, array offset 0
    private boolean handedOver(ByteBuffer buffer, int n, @Nullable IOException error) {
        TakeOver to = link.takeOver();
        if (to == null) {
            return false;
        }
        to.handOver(n > 0 ? Arrays.copyOf(buffer.array(), n) : null, error);
        return true;
    }

    /** A chunk that could not be emitted: kept for the TLS socket if that is why; false either way. */
    private boolean undelivered(byte[] chunk) {
        if (link.takeOver() != null) {
            unsent = chunk;
        }
        return false;
    }

    /** Everything before the read loop; returns the channel to read, or null when there is nothing to read. */
    private @Nullable SocketChannel begin() throws Exception {
        socket.events.adoptCurrentThread();
        link.thread = Thread.currentThread();
        if (!socket.serves(link)) {
            return null;                                  // destroyed and connected again before this thread ran
        }
        return switch (origin) {
            case CLIENT -> beginClient(Objects.requireNonNull(options));      // set for this origin
            case ACCEPTED -> beginAccepted(Objects.requireNonNull(channel), v6Socket);
            case ADOPTED -> beginAdopted(Objects.requireNonNull(channel));
            case UPGRADED -> beginUpgraded(Objects.requireNonNull(from));
        };
    }

    private @Nullable SocketChannel beginUpgraded(TakeOver from) throws Exception {
        SocketChannel ch = from.awaitPlainReady();
        if (ch == null) {
            Closer.destroy(socket, link, null, false);    // the plain socket reports why it never connected
            return null;
        }
        if (!Connect.upgraded(socket, link, ch, from.plainLink.v6())) {
            return null;
        }
        TlsContext tls = Objects.requireNonNull(socket.tlsContext());      // a TLS socket's
        return Handshake.upgraded(socket, link, ch, tls, from) ? ch : null;
    }

    private @Nullable SocketChannel beginAccepted(SocketChannel ch, boolean v6Socket) throws Exception {
        if (!Connect.established(socket, link, ch, v6Socket)) {
            return null;
        }
        TlsContext tls = socket.tlsContext();
        if (tls != null) {
            return Handshake.server(socket, link, ch, tls) ? ch : null;
        }
        link.writer.start();                               // before the listener: it may block writing
        socket.events.runAndWait(() -> Connect.emitConnection(socket));
        return ch;
    }

    private SocketChannel beginAdopted(SocketChannel ch) {
        link.writer.start();
        return ch;
    }

    private @Nullable SocketChannel beginClient(ConnectOptions options) throws Exception {
        Connector.Connected connected = new Connector(socket, link, options).connect();
        if (connected == null) {
            return null;
        }
        SocketChannel ch = connected.channel();
        if (!Connect.established(socket, link, ch, connected.v6())) {
            closeQuietly(ch);
            return null;
        }
        if (link.life.resetRequested()) {
            socket.resetAndDestroy();
            return null;
        }
        TlsContext tls = socket.tlsContext();
        if (tls != null) {
            return Handshake.client(socket, link, ch, tls, options) ? ch : null;
        }
        socket.events.runAndWait(() -> Connect.emitConnected(socket, link));   // starts the writes made while connecting
        Connect.connectDone(socket);
        return ch;
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * One read while nobody reads the socket ({@link Inbound#wantsReadAhead}), as Node reads into its buffer:
     * the bytes are kept for the first reader (the first {@code DATA} chunk, or the input stream), and a FIN
     * with nothing unread emits {@code END} at once, so that the socket can close. A full read is topped up as
     * in the read loop, so a message that arrived whole stays one chunk. In a method of its own, unlike the
     * flowing read: a socket that nobody reads is not the idle connection whose stack depth matters.
     *
     * @return false when the loop must end: EOF (after {@code END}) or a failed read (the socket is failed)
     */
    // ByteBufferBackingArray: the read buffers are heap buffers from ByteBuffer.allocate or
    // ByteBuffer.wrap(array), whose array offset is 0
    @SuppressWarnings("ByteBufferBackingArray")
    private boolean readAhead(SocketChannel ch, ByteBuffer buffer) throws Exception {
        int n;
        socket.readLock.lock();
        try {
            if (!socket.inbound.wantsReadAhead(link)) {
                return true;                              // a reader came first (or a pause, or a close)
            }
            TlsChannel tls = link.tls();
            n = tls == null ? ch.read(buffer) : tls.read(buffer);
            if (handedOver(buffer, n, null)) {
                return false;
            }
            ByteBuffer filled = buffer;
            if (n == buffer.capacity() && n < MAX_READ && tls == null) {
                filled = link.unix() ? topUpUnix(ch, buffer) : topUp(ch, buffer);
                n = filled.position();
            }
            if (n > 0) {
                socket.inbound.readBytes(link, n);
                link.keepReadAhead(Arrays.copyOf(filled.array(), n));
            } else if (n < 0) {
                link.readAheadEnded();
            }
        } catch (IOException e) {
            if (!handedOver(buffer, 0, e)) {
                Closer.fail(socket, link, Errors.io(e, "read"));
            }
            return false;
        } finally {
            socket.readLock.unlock();
        }
        if (n < 0) {
            socket.events.runAndWait(() -> socket.inbound.emitEnd(link));
            return false;
        }
        return true;
    }

    /**
     * Before the read loop: reads ahead while nobody reads the socket ({@link #readAhead}), then, once it
     * flows, emits what was read ahead as its first chunk. A flow is only ever unset before the first reader,
     * so this runs once, outside the loop, which stays as it was per chunk (with the checks in the loop, two
     * A/B runs measured 2.5-3.3% less in ping-pong and streaming; out of it, within noise).
     *
     * @return false when the thread must end: EOF (after {@code END}), a failed read, or the socket closed
     */
    private boolean readAheadUntilRead(SocketChannel ch, ByteBuffer buffer) throws Exception {
        while (socket.inbound.wantsReadAhead(link)) {
            if (!readAhead(ch, buffer)) {
                return false;                             // EOF (END emitted) or failed
            }
            buffer.clear();
        }
        if (!link.mayHaveReadAhead()) {
            return true;
        }
        if (!socket.inbound.awaitFlowing(link)) {
            return false;
        }
        byte[] early;
        socket.readLock.lock();
        try {
            early = link.takeReadAhead();               // what the input stream did not take
        } finally {
            socket.readLock.unlock();
        }
        return early == null || emitChunk(early);
    }

    /**
     * Hands {@code n} bytes just read to the {@code data} listeners and returns the buffer for the next read
     * (the policy in the class comment), or null if the socket closed while paused before delivering them.
     */
    // ByteBufferBackingArray: the read buffers are heap buffers from ByteBuffer.allocate or
    // ByteBuffer.wrap(array), whose array offset is 0
    @SuppressWarnings("ByteBufferBackingArray")
    private @Nullable ByteBuffer deliver(ByteBuffer buffer, int n, @Nullable OnRead onread) {
        if (onread != null) {
            return handToOnRead(buffer, onread);
        }
        if (socket.inbound.soloPipe() != null) {
            return lend(buffer, n);
        }
        if (n == buffer.capacity()) {
            // A full read: hand the array over, no copy. The next buffer is allocated after the event, so that
            // the listener's write reads the chunk while the read has just left it in the cache; zeroing 32 KiB
            // of fresh memory first pushed part of it out (3-5% in streaming).
            int size = nextCapacity(buffer, n);
            return emitChunk(buffer.array()) ? ByteBuffer.allocate(size) : null;
        }
        byte[] chunk = Arrays.copyOf(buffer.array(), n);
        ByteBuffer next = nextBuffer(buffer, n);
        return emitChunk(chunk) ? next : null;
    }

    /** Emits one {@code data} chunk once the socket flows; false if it closed while paused. */
    private boolean emitChunk(byte[] chunk) {
        if (!socket.inbound.awaitFlowing(link)) {
            return undelivered(chunk);
        }
        socket.events.runAndWait(this, chunk);           // this.run(chunk): no lambda per chunk
        return emitHeld();
    }

    /**
     * Emits again, once the socket flows, a chunk its event held ({@link #held}); false if it closed first.
     * Only a pause or unpipe from another thread, between the read loop's check and the event, holds one.
     */
    private boolean emitHeld() {
        byte[] chunk;
        while ((chunk = held) != null) {
            held = null;
            if (!socket.inbound.awaitFlowing(link)) {
                return undelivered(chunk);
            }
            socket.events.runAndWait(this, chunk);
        }
        return true;
    }

    /**
     * The event-queue task of one read, so that the read loop allocates no lambda per chunk: a {@code byte[]}
     * is a {@code data} chunk ({@link #deliver}), a {@code ByteBuffer} the {@code onread} buffer
     * ({@link #handToOnRead}) or the buffer lent to a sole pipe ({@link #lend}).
     */
    @Override
    public void run(Object read) throws Exception {
        if (!socket.serves(link)) {
            return;                                      // read before a reconnect that came meanwhile: not its data
        }
        if (read instanceof byte[] chunk) {
            held = socket.inbound.emitData(link, chunk) ? null : chunk;
            return;
        }
        OnRead onread = socket.options.onread();
        if (onread != null) {
            socket.inbound.emitOnRead(link, onread, (ByteBuffer) read);
        } else {
            held = socket.inbound.emitBorrowed(link, (ByteBuffer) read);
        }
    }

    /**
     * {@link #deliver} for Node's {@code onread}: the bytes went straight into the caller's array; its callback
     * runs as the event, then the buffer function is asked for the next array (Node calls it once up front
     * and again after every read). The same array is reused without a new wrapper.
     */
    // ReferenceEquality: whether onread handed back the very array the buffer wraps (then the wrapper is
    // reused). ByteBufferBackingArray: buffer is ByteBuffer.wrap(array), array offset 0.
    @SuppressWarnings({"ReferenceEquality", "ByteBufferBackingArray"})
    private @Nullable ByteBuffer handToOnRead(ByteBuffer buffer, OnRead onread) {
        if (!socket.inbound.awaitFlowing(link)) {
            undelivered(Arrays.copyOf(buffer.array(), buffer.position()));
            return null;
        }
        socket.events.runAndWait(this, buffer);          // this.run(buffer)
        byte[] next = onread.nextBuffer();
        return next == buffer.array() ? buffer.clear() : ByteBuffer.wrap(next);
    }

    /**
     * {@link #deliver} when only a pipe consumes the data: the pipe borrows the buffer for the duration of
     * the event ({@code runAndWait} returns after it ran) and the same buffer serves the next read, so a
     * streaming pipe reads and writes through one warm buffer, as a plain blocking copy loop would. The size
     * policy is the same; a full buffer below {@link #MAX_READ} is replaced by a bigger one.
     */
    @SuppressWarnings("ByteBufferBackingArray")          // heap read buffers, array offset 0
    private @Nullable ByteBuffer lend(ByteBuffer buffer, int n) {
        if (!socket.inbound.awaitFlowing(link)) {
            undelivered(Arrays.copyOf(buffer.array(), n));
            return null;
        }
        ByteBuffer view = buffer.flip();
        socket.events.runAndWait(this, view);            // this.run(view)
        if (!emitHeld()) {
            return null;
        }
        return nextBuffer(buffer, n);
    }

    /**
     * {@link #nextCapacity(int, int, boolean)} for this connection's buffer after a read of {@code n} bytes. The
     * first read of a connection is small (an idle connection then parks with a small buffer and made no 2 KiB
     * of garbage); if it came back full, more is likely waiting: go straight to {@link #INITIAL_READ}.
     */
    private int nextCapacity(ByteBuffer buffer, int n) {
        return nextCapacity(buffer.capacity(), n, n == link.bytesRead());
    }

    /** The buffer for the next read after a read of {@code n} bytes into {@code buffer}: itself, or a new size. */
    private ByteBuffer nextBuffer(ByteBuffer buffer, int n) {
        int next = nextCapacity(buffer, n);
        return next == buffer.capacity() ? buffer.clear() : ByteBuffer.allocate(next);
    }

    /**
     * The buffer policy of the class comment in one place: the capacity for the next read after a read of
     * {@code n} bytes into a buffer of {@code capacity}. A full buffer doubles (the connection's first read goes
     * straight to {@link #INITIAL_READ}) up to {@link #MAX_READ}; a read of a quarter or less shrinks it to twice
     * the read's highest power of two, at least {@link #MIN_READ}; otherwise it stays.
     *
     * @param first whether this was the connection's first read
     */
    static int nextCapacity(int capacity, int n, boolean first) {
        if (n == capacity) {
            return Math.min(first ? Math.max(INITIAL_READ, n * 2) : n * 2, MAX_READ);
        }
        if (n <= capacity / 4 && capacity > MIN_READ) {
            return Math.max(MIN_READ, Integer.highestOneBit(n) * 2);
        }
        return capacity;
    }

    /**
     * After a read that filled a buffer smaller than {@link #MAX_READ}: reads what the kernel already holds
     * into a bigger buffer (the bytes read so far first), so that a message the peer wrote at once becomes one
     * {@code data} chunk, as with Node's 64 KiB reads, however small the buffer had become while the
     * connection idled. It asks the kernel how much is waiting ({@code FIONREAD}, through the socket adaptor's
     * {@code available()}) rather than reading on, because a read with nothing waiting would block with the
     * bytes already read undelivered. TCP only: the JDK offers no adaptor for Unix domain sockets
     * ({@link #topUpUnix}).
     *
     * <p>If asking or reading fails, the bytes read so far are still delivered and the failure is kept in
     * {@link #readError} for the next turn of the read loop, as if that read had failed: no byte is lost.
     *
     * @return the buffer holding every byte read, its position the count
     */
    private ByteBuffer topUp(SocketChannel ch, ByteBuffer full) {
        ByteBuffer buffer = full;
        try {
            int waiting;
            while (!buffer.hasRemaining() && buffer.capacity() < MAX_READ
                    && (waiting = ch.socket().getInputStream().available()) > 0) {
                int wanted = buffer.capacity() + waiting;
                int size = wanted >= MAX_READ ? MAX_READ : Integer.highestOneBit(wanted - 1) << 1;
                ByteBuffer bigger = ByteBuffer.allocate(size).put(buffer.flip());
                buffer = bigger;
                ch.read(bigger);                          // returns at once: the bytes are there
            }
        } catch (IOException e) {
            readError = e;
        }
        return buffer;
    }

    /**
     * {@link #topUp} for a Unix domain socket, which has no {@code FIONREAD} in the JDK: reads on without
     * blocking, into buffers four times bigger each turn (up to {@link #MAX_READ}), until a read leaves room or
     * finds nothing. The blocking mode may only be switched while no writer thread is inside the channel's
     * {@code write} (switching waits for its write lock, and a writer blocked on a peer that is not reading
     * would stall this read loop with it), so the read loop takes the writer role for the attempt and skips
     * the attempt while a writer runs: the message then arrives in several chunks, as before.
     */
    private ByteBuffer topUpUnix(SocketChannel ch, ByteBuffer full) {
        if (!link.writer.claimReader()) {
            return full;
        }
        ByteBuffer buffer = full;
        try {
            ch.configureBlocking(false);
            try {
                while (!buffer.hasRemaining() && buffer.capacity() < MAX_READ) {
                    int size = Math.min(Math.max(buffer.capacity() * 4, INITIAL_READ), MAX_READ);
                    ByteBuffer bigger = ByteBuffer.allocate(size).put(buffer.flip());
                    buffer = bigger;
                    if (ch.read(bigger) <= 0) {
                        break;                            // nothing more waiting, or EOF (read again next turn)
                    }
                }
            } finally {
                ch.configureBlocking(true);
            }
        } catch (IOException e) {
            readError = e;
        } finally {
            link.writer.releaseReader();
        }
        return buffer;
    }
}
