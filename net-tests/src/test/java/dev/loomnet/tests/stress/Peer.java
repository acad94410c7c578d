package dev.loomnet.tests.stress;

import dev.loomnet.net.Callback;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Event;
import dev.loomnet.net.NetException;
import dev.loomnet.net.OnRead;
import dev.loomnet.net.ReadyState;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Writable;
import dev.loomnet.tests.stress.Scenario.ReadMode;
import dev.loomnet.tests.stress.Scenario.Side;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Everything the chaos test records about one socket of the pair: its events in order (with its callbacks'
 * results mixed in, as {@code cb:...}), the bytes it wrote in write order and the bytes it received, its
 * callbacks with how often each ran, and the things only a listener can see (the state inside {@code END},
 * {@code FINISH} and {@code CLOSE}).
 *
 * <p>Writes to one socket from several threads are made under {@link #writeLock}, so that the order of
 * {@link #written} is the order in which the socket queued them; everything else runs unlocked.
 */
final class Peer {

    /** A write or end callback and what became of it. */
    static final class Cb {
        final String label;
        /** The write's number among this socket's writes, or -1 for an end callback. */
        final int write;
        /** Offset just past the write's bytes in {@link #written}. */
        final long endOffset;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<@Nullable Throwable> error = new AtomicReference<>();
        /**
         * The call that took this callback returned while the socket was not destroyed yet: loomnet then held
         * the callback (queued, in flight, or its result posted), so it must run before {@code CLOSE}.
         */
        volatile boolean issuedWhileOpen;
        /** The first call came after this socket's CLOSE listeners ran. */
        volatile boolean afterClose;
        /** FINISH had been emitted when the first call came. */
        volatile boolean afterFinish;
        /** The first call's rank among this socket's callback calls (0-based), -1 until called. */
        volatile int rank = -1;
        /** Write callbacks: whether this socket's recorder had heard FINISH, END, CLOSE when the write was made. */
        volatile boolean issuedAfterFinish;
        volatile boolean issuedAfterEnd;
        volatile boolean issuedAfterClose;
        /** End callbacks: the socket was no longer writable when {@code end(cb)} was called. */
        volatile boolean notWritableAtCall;

        Cb(String label, int write, long endOffset) {
            this.label = label;
            this.write = write;
            this.endOffset = endOffset;
        }
    }

    final Side side;
    /** The pair this socket belongs to (for reconnect: the connection's round). */
    final int pair;
    final Scenario.SideConfig config;
    final CountDownLatch ready = new CountDownLatch(1);
    private volatile @Nullable Socket socket;
    private volatile boolean neverAccepted;

    /** Events ({@code connect}, {@code data:N}, ...), callback results ({@code cb:...}) and notes ({@code note:...}). */
    final List<String> log = new CopyOnWriteArrayList<>();
    /** What only listeners can see wrong, in their own words. */
    final Queue<String> anomalies = new ConcurrentLinkedQueue<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final CountDownLatch closed = new CountDownLatch(1);

    private final ReentrantLock receivedLock = new ReentrantLock();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    final ReentrantLock writeLock = new ReentrantLock();
    /** Guarded by {@link #writeLock}. */
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    /** Bytes written when this socket's end was first asked for (by an op, the finale or auto-end); -1 before. */
    private long endMark = -1;
    private int writes;
    final List<Cb> callbacks = new CopyOnWriteArrayList<>();
    private final AtomicInteger callbackCalls = new AtomicInteger();
    private volatile boolean finishSeen;
    private volatile boolean endSeen;
    /** {@code CONNECT} or {@code READY} reached the recorder. */
    private volatile boolean connectSeen;
    /**
     * The recorders were attached after {@code connect()} returned: the lifecycle events may reach them as
     * replays, after things the socket did later that are not events (an onread call, a stream read).
     */
    volatile boolean late;
    /** A listener was passed to {@code connect}: it is in time, so {@code CONNECT} may not be kept for the recorder. */
    volatile boolean connectInTime;
    /** A late client's recorders, read mode and triggers are all in place. */
    volatile boolean readersAttached;
    final AtomicInteger falseReturns = new AtomicInteger();
    final AtomicInteger endDataOps = new AtomicInteger();
    /** The test destroyed, reset or threw on this socket (so bytes may be lost). */
    volatile boolean violated;
    volatile boolean timeoutSet;
    final List<Throwable> ownErrors = new CopyOnWriteArrayList<>();
    /** What THROW operations threw from this socket's listeners. */
    final List<Throwable> thrown = new CopyOnWriteArrayList<>();

    /** The recorder's writes after {@code unpipe()} returned. */
    final AtomicInteger writesAfterUnpipe = new AtomicInteger();
    /** The pipe recorder's {@code end()} calls, and writes after the first. */
    final AtomicInteger recorderEnds = new AtomicInteger();
    final AtomicInteger recorderWritesAfterEnd = new AtomicInteger();
    final List<Thread> helpers = new CopyOnWriteArrayList<>();
    volatile int connectionsAtClose = -1;

    /**
     * An earlier connection of this (reconnected) socket decoded text and closed without END: its decoder may
     * still hold the start of a character, which this connection's first bytes complete (Node keeps its
     * decoder across a reconnect too), so this connection's text is not checked against its bytes alone.
     */
    volatile boolean textCarried;
    /** The decoded text its TEXT listener got, in order; guarded by {@link #receivedLock}. */
    private final StringBuilder text = new StringBuilder();
    /** The pipe was replaced by a DATA listener ({@code UNPIPE}): the recorder must get nothing more after that. */
    volatile boolean unpiped;
    /** Every {@code resume()} the test made on this socket: the ops, the finale and the onread helper. */
    final AtomicInteger resumes = new AtomicInteger();
    /** {@code resume()} calls under way: one counted before a false may still land after that false's pause. */
    private final AtomicInteger resuming = new AtomicInteger();
    /** ONREAD: {@link #resumes} when the callback last returned {@code false}, or -1. */
    private volatile int resumesAtFalse = -1;
    /** ONREAD: the array the buffer function handed out last. */
    private volatile byte @Nullable [] lastBuffer;
    /** PIPE: the pipe's destination. */
    volatile @Nullable Recorder recorder;
    /** PIPE: an UNPIPE operation switched (or is switching) this socket to a DATA listener. */
    final java.util.concurrent.atomic.AtomicBoolean unpipeClaimed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Fires the DATA triggers of this socket: set by ChaosRun before the socket can read. */
    volatile @Nullable Listener dataTrigger;
    /** Counters of the connection, kept when it closed ({@code reconnect} restarts the socket's own). */
    volatile long finalBytesRead = -1;
    volatile long finalBytesWritten = -1;
    /** Every listener this peer added, so that a reconnected socket's next peer starts clean. */
    private final List<Runnable> removals = new CopyOnWriteArrayList<>();

    Peer(Side side, int pair, Scenario.SideConfig config) {
        this.side = side;
        this.pair = pair;
        this.config = config;
    }

    /** Adds {@code listener} to {@code s} and remembers it for {@link #detach()}. */
    <L> void on(Socket s, Event<? super Socket, L> event, L listener) {
        s.on(event, listener);
        removals.add(() -> s.off(event, listener));
    }

    /**
     * Removes every listener this peer added: its connection closed and the socket is connected again for the
     * next pair, whose peer records the new connection's events (Node keeps listeners across a reconnect).
     */
    void detach() {
        removals.forEach(Runnable::run);
        removals.clear();
    }

    /**
     * Keeps the socket's counters for the checks, before a reconnect restarts them. Not taken at CLOSE: an input
     * stream read that returned just before a destroy counts its bytes after the CLOSE listeners ran.
     */
    void snapshot() {
        Socket s = socket;
        if (s != null && finalBytesRead < 0) {
            finalBytesRead = s.bytesRead();
            finalBytesWritten = s.bytesWritten();
        }
    }

    long bytesRead() {
        return finalBytesRead >= 0 ? finalBytesRead : java.util.Objects.requireNonNull(socket).bytesRead();
    }

    long bytesWritten() {
        return finalBytesWritten >= 0 ? finalBytesWritten : java.util.Objects.requireNonNull(socket).bytesWritten();
    }

    /** {@code s.resume()}, counted (the onread check needs to know whether anybody resumed). */
    void resume(Socket s) {
        resuming.incrementAndGet();                       // first: onRead reads the two the other way round
        resumes.incrementAndGet();
        try {
            s.resume();
        } finally {
            resuming.decrementAndGet();
        }
    }

    /** The socket; for V, waits (bounded) until the server accepted it, for a late C until it was made. */
    Socket socket() {
        Socket s = socket;
        if (s != null) {
            return s;
        }
        try {
            if (neverAccepted || !ready.await(ChaosRun.waitSeconds(), TimeUnit.SECONDS)) {
                neverAccepted = true;                     // the run has failed; do not wait again per operation
                throw new AssertionError(side + " was never accepted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return java.util.Objects.requireNonNull(socket);
    }

    @Nullable Socket socketOrNull() {
        return socket;
    }

    /**
     * Names the socket before its recorders are attached (a client attached late): the server's connection
     * listener matches its accepted socket to the client by port meanwhile, and its listener operations may
     * act on the client before {@code Net.connect} returned it to the test thread ({@link #socket()} waits).
     */
    void bind(Socket s) {
        socket = s;
        ready.countDown();
    }

    /** The listener passed to {@code connect}: records {@code connect-cb}, an event of its own. */
    void connectCallback() {
        log.add("connect-cb");
    }

    /** Write callbacks: what the recorder had heard when the write was made. */
    void issued(@Nullable Cb cb) {
        if (cb != null) {
            cb.issuedAfterFinish = finishSeen;
            cb.issuedAfterEnd = endSeen;
            cb.issuedAfterClose = closed.getCount() == 0;
        }
    }

    /**
     * A QUIET client whose server may have written: the finale's reader, a {@code DATA} recorder added long
     * after the connection started (what was read ahead must come first, whole, and nothing twice).
     */
    void lateReader(Socket s) {
        log.add("note:late-reader");
        on(s, Socket.DATA, this::received);
    }

    boolean isReady() {
        return socket != null;
    }

    /**
     * Attaches the recording listeners, first of all listeners: before the socket can emit anything (before
     * {@code connect}, or first thing in the connection listener), or, for a client of the late groups, after
     * {@code connect()} returned, when the lifecycle events it missed are replayed to them. {@code watchOnRead}:
     * on an onread socket, DATA and TEXT listeners that report any call (onread replaces both events).
     */
    void attach(Socket s, @Nullable Server server, boolean watchOnRead) {
        socket = s;
        if (side == Side.V) {
            log.add("connection");
        } else {
            // In the order they are emitted, so that replays to recorders attached late come in that order too.
            on(s, Socket.LOOKUP, (error, address, family, host) -> log.add("lookup"));
            on(s, Socket.CONNECTION_ATTEMPT, (ip, port, family, error) -> log.add("attempt"));
            on(s, Socket.CONNECTION_ATTEMPT_FAILED, (ip, port, family, error) -> log.add("attempt-failed"));
        }
        on(s, Socket.CONNECT, () -> {
                    connectSeen = true;
                    log.add("connect");
                });
        on(s, Socket.READY, () -> {
                    connectSeen = true;              // CONNECT is not kept when only connect()'s listener heard it
                    log.add("ready");
                });
        on(s, Socket.END, () -> {
                    endSeen = true;
                    log.add("end");
                    if (s.readable()) {
                        anomalies.add("readable() is true inside END");
                    }
                    if (!s.allowHalfOpen()) {
                        markEnd();               // auto-end follows: later writes may fail
                    }
                });
        on(s, Socket.DRAIN, () -> log.add("drain"));
        on(s, Socket.FINISH, () -> {
                    log.add("finish");
                    finishSeen = true;
                    if (s.writable()) {
                        anomalies.add("writable() is true inside FINISH");
                    }
                });
        on(s, Socket.TIMEOUT, () -> log.add("timeout"));
        on(s, Socket.ERROR, e -> {
                    errors.add(e);
                    log.add("error:" + code(e));
                });
        on(s, Socket.CLOSE, hadError -> {
                    log.add("close:" + hadError);
                    if (!s.destroyed() || s.readyState() != ReadyState.CLOSED) {
                        anomalies.add("inside CLOSE destroyed()=" + s.destroyed() + " readyState()=" + s.readyState());
                    }
                    if (server != null) {
                        connectionsAtClose = server.connections();
                    }
                    closed.countDown();
                });
        if (config.mode() == ReadMode.EVENTS) {
            on(s, Socket.DATA, this::received);
        }
        if (config.hasText()) {
            s.setEncoding(Scenario.CHARSETS.get(config.charset()));
            on(s, Socket.TEXT, this::text);
        }
        if (config.mode() == ReadMode.ONREAD && watchOnRead) {
            // onread replaces both events: any call of these is an anomaly (and must not start anything)
            on(s, Socket.DATA, chunk -> anomalies.add("DATA emitted on an onread socket"));
            on(s, Socket.TEXT, t -> anomalies.add("TEXT emitted on an onread socket"));
        }
    }

    /** A TEXT chunk; in mode TEXT it also fires the DATA triggers. */
    private void text(String t) throws Exception {
        if (t.isEmpty()) {
            anomalies.add("an empty TEXT chunk was delivered");
        }
        receivedLock.lock();
        try {
            text.append(t);
        } finally {
            receivedLock.unlock();
        }
        log.add("text:" + t.length());
        if (config.mode() == ReadMode.TEXT) {
            fireData();
        }
    }

    /** Fires this socket's DATA triggers: one more chunk (or text chunk, or onread call) was delivered. */
    void fireData() throws Exception {
        Listener trigger = dataTrigger;
        if (trigger != null) {
            trigger.handle();
        }
    }

    String receivedText() {
        receivedLock.lock();
        try {
            return text.toString();
        } finally {
            receivedLock.unlock();
        }
    }

    /**
     * Node's {@code onread} for an ONREAD client, recording into whichever peer {@code current} names (a
     * reconnected socket keeps its options, so one option serves every connection's peer).
     */
    static OnRead onRead(Scenario.SideConfig config, long seed, java.util.function.Supplier<Peer> current) {
        int size = config.onreadBuffer();
        byte[] fixed = size > 0 ? new byte[size] : null;
        SplittableRandom r = new SplittableRandom(seed);   // only the connection's thread asks for buffers
        // The buffer function runs after every read's callback, once a false from it has paused the socket:
        // the place to let the helper resume it (a resume made before that pause would be undone by it).
        return OnRead.of(() -> {
            Peer p = current.get();
            byte[] b = fixed != null ? fixed : new byte[1 + r.nextInt(-size)];
            p.lastBuffer = b;
            if (p.resumeDue) {
                p.resumeDue = false;
                Socket s = p.socket();                   // a late client's may still be on its way from connect()
                p.helpers.add(Thread.ofVirtual().name("chaos-onread-resume").start(() -> p.resume(s)));
            }
            return b;
        }, (nread, b) -> current.get().onRead(nread, b));
    }

    /** One onread call: record, check, fire the DATA triggers, and return {@code false} every n-th time. */
    private boolean onRead(int nread, byte[] buffer) throws Exception {
        if (buffer != lastBuffer) {
            anomalies.add("the onread callback got an array the buffer function did not hand out last");
        }
        if (nread <= 0 || nread > buffer.length) {
            anomalies.add("the onread callback got nread=" + nread + " for an array of " + buffer.length);
            return true;
        }
        int atFalse = resumesAtFalse;
        if (atFalse >= 0 && resumes.get() == atFalse) {
            anomalies.add("the onread callback ran again after it returned false, with no resume() since");
        }
        resumesAtFalse = -1;
        record(buffer, 0, nread);
        // Attached late, the recorder may hear CONNECT (and what came before it) as replays after the first
        // reads: those are no events before CONNECT, so they are noted, not logged as data.
        log.add(late && !connectSeen ? "note:onread-before-the-replayed-connect:" + nread : "data:" + nread);
        fireData();
        int every = config.recorderFalseEvery();
        if (every == 0 || reads.incrementAndGet() % every != 0) {
            return true;
        }
        // A resume() counted already but still under way may land after this false's pause: no check then.
        int counted = resumes.get();
        resumesAtFalse = resuming.get() > 0 ? -1 : counted;
        resumeDue = true;                                 // a thread of our own resumes it, as an application would
        return false;
    }

    private final AtomicInteger reads = new AtomicInteger();
    /** ONREAD: the callback returned false; the buffer function starts the resuming helper. */
    private volatile boolean resumeDue;

    static String code(Throwable e) {
        if (e instanceof NetException ne) {
            return ne.code();
        }
        return e instanceof ChaosRun.ChaosError ? "own(" + e.getMessage() + ")" : e.getClass().getSimpleName();
    }

    /** A chunk delivered by {@code DATA} or the pipe recorder (both events of the socket). */
    void received(byte[] chunk) {
        record(chunk, 0, chunk.length);
        log.add("data:" + chunk.length);
    }

    /**
     * Bytes read through the input stream: not an event, so logged as a note ({@code read} waits only until
     * {@code CONNECT} is about to be emitted, and a read that returned just before a destroy is logged after it).
     */
    void read(byte[] b, int off, int len) {
        record(b, off, len);
        log.add("note:read:" + len);
    }

    private void record(byte[] b, int off, int len) {
        if (len <= 0) {
            anomalies.add("an empty chunk was delivered");
        }
        receivedLock.lock();
        try {
            received.write(b, off, len);
        } finally {
            receivedLock.unlock();
        }
    }

    byte[] receivedBytes() {
        receivedLock.lock();
        try {
            return received.toByteArray();
        } finally {
            receivedLock.unlock();
        }
    }

    byte[] writtenBytes() {
        writeLock.lock();
        try {
            return written.toByteArray();
        } finally {
            writeLock.unlock();
        }
    }

    long endMark() {
        writeLock.lock();
        try {
            return endMark;
        } finally {
            writeLock.unlock();
        }
    }

    /** Records that this socket's end is being asked for now (the first time counts). */
    void markEnd() {
        writeLock.lock();
        try {
            if (endMark < 0) {
                endMark = written.size();
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Under {@link #writeLock}, before a write by the test to a client attached late: if the socket ended
     * already, the end mark goes here. Its recorder may hear END (and so note the automatic end) only as a
     * replay, after writes that the end had refused already. Returns the offset of the write.
     */
    long lateEndBefore(Socket s) {
        if (late && !s.writable()) {
            markEnd();
        }
        return written.size();
    }

    /**
     * Under {@link #writeLock}, after that write: if the socket is no longer writable, it may have ended (or
     * closed) just before the write, which was then refused with no replay yet to mark it; the write's bytes are
     * not required to arrive.
     */
    void lateEndAfter(Socket s, long offset) {
        if (late && !s.writable()) {
            streamWriteFailed(offset);
        }
    }

    /** A stream write that threw: its bytes (from {@code offset}) may never have been sent. */
    void streamWriteFailed(long offset) {
        writeLock.lock();
        try {
            endMark = endMark < 0 ? offset : Math.min(endMark, offset);
        } finally {
            writeLock.unlock();
        }
    }

    /** Under {@link #writeLock}: appends the bytes of the next write and returns its callback, if it has one. */
    @Nullable Cb appendWrite(byte[] data, boolean withCallback) {
        if (!writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("appendWrite without the write lock");
        }
        written.write(data, 0, data.length);
        int n = ++writes;
        if (!withCallback) {
            return null;
        }
        Cb cb = new Cb("w" + n, n, written.size());
        callbacks.add(cb);
        return cb;
    }

    long writtenSize() {
        writeLock.lock();
        try {
            return written.size();
        } finally {
            writeLock.unlock();
        }
    }

    Cb endCallback(int opId) {
        Cb cb = new Cb("end#" + opId, -1, -1);
        callbacks.add(cb);
        return cb;
    }

    /** The callback the socket gets for {@code cb}: records each call. */
    Callback callback(Cb cb) {
        return error -> {
            int n = cb.calls.incrementAndGet();
            if (n == 1) {
                cb.error.set(error);
                // Callbacks run on the socket's event queue, one at a time with its listeners: what those
                // listeners recorded before is visible here.
                cb.afterClose = closed.getCount() == 0;
                cb.afterFinish = finishSeen;
                cb.rank = callbackCalls.getAndIncrement();
            }
            log.add("cb:" + cb.label + ":" + (error == null ? "null" : code(error)) + (n > 1 ? ":call" + n : ""));
        };
    }

    /** The destination of a PIPE socket: records the chunks, pushes back now and then, and drains on a thread. */
    final class Recorder implements Writable {
        private final AtomicInteger chunks = new AtomicInteger();
        private final Listener onChunk;

        Recorder(Listener onChunk) {
            this.onChunk = onChunk;
        }

        @Override
        public boolean write(byte[] chunk) {
            if (recorderEnds.get() > 0) {
                recorderWritesAfterEnd.incrementAndGet();
            }
            if (unpiped && writesAfterUnpipe.incrementAndGet() == 2) {
                // One chunk may be under way when unpipe() returns on another thread; a second is the pipe's
                anomalies.add("the pipe wrote to its destination twice after unpipe() returned");
            }
            received(chunk);
            try {
                onChunk.handle();                           // the DATA triggers of a piped socket fire here
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            int every = config.recorderFalseEvery();
            return every == 0 || chunks.incrementAndGet() % every != 0;
        }

        @Override
        public Writable onceDrain(Listener listener) {
            // Drain from a plain thread of our own, as an application's asynchronous sink would.
            helpers.add(Thread.ofVirtual().name("chaos-drain").start(() -> {
                try {
                    listener.handle();
                } catch (Exception e) {
                    anomalies.add("the pipe's drain listener threw " + e);
                }
            }));
            return this;
        }

        @Override
        public Writable end() {
            recorderEnds.incrementAndGet();
            log.add("note:pipe-end");
            return this;
        }
    }

    /** One line per socket: the events, with runs of {@code data} (or of stream reads) folded. */
    String describeLog() {
        List<String> out = new ArrayList<>();
        String run = null;
        int count = 0;
        long bytes = 0;
        for (String e : log) {
            String kind = e.startsWith("data:") ? "data" : e.startsWith("note:read:") ? "note:read" : null;
            if (run != null && !run.equals(kind)) {
                out.add(run + " x" + count + " (" + bytes + " B)");
                run = null;
            }
            if (kind == null) {
                out.add(e);
                continue;
            }
            if (run == null) {
                run = kind;
                count = 0;
                bytes = 0;
            }
            count++;
            bytes += Long.parseLong(e.substring(kind.length() + 1));
        }
        if (run != null) {
            out.add(run + " x" + count + " (" + bytes + " B)");
        }
        return String.join(", ", out);
    }
}
