package dev.loomnet.tests.stress;

import dev.loomnet.net.Callback;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Event;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.stress.Scenario.Side;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
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
 * {@code FINISH} and {@code CLOSE}). What the socket emits reaches it through its {@link PeerRecorder} (and,
 * for a PIPE socket, its {@link PipeRecorder}).
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
    /** The recorder heard FINISH, or END ({@link PeerRecorder} sets them, callbacks and writes read them). */
    volatile boolean finishSeen;
    volatile boolean endSeen;
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
    final AtomicInteger resuming = new AtomicInteger();
    /** PIPE: the pipe's destination. */
    volatile @Nullable PipeRecorder recorder;
    /** PIPE: an UNPIPE operation switched (or is switching) this socket to a DATA listener. */
    final java.util.concurrent.atomic.AtomicBoolean unpipeClaimed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Fires the DATA triggers of this socket: set with its read mode, before the socket can read. */
    volatile @Nullable Listener dataTrigger;
    /** Counters of the connection, kept when it closed ({@code reconnect} restarts the socket's own). */
    volatile long finalBytesRead = -1;
    volatile long finalBytesWritten = -1;
    /** Every listener this peer added, so that a reconnected socket's next peer starts clean. */
    private final List<Runnable> removals = new CopyOnWriteArrayList<>();

    /** The listeners that record what the socket emits into this peer. */
    final PeerRecorder recording;

    Peer(Side side, int pair, Scenario.SideConfig config) {
        this.side = side;
        this.pair = pair;
        this.config = config;
        this.recording = new PeerRecorder(this);
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

    /** Write callbacks: what the recorder had heard when the write was made. */
    void issued(@Nullable Cb cb) {
        if (cb != null) {
            cb.issuedAfterFinish = finishSeen;
            cb.issuedAfterEnd = endSeen;
            cb.issuedAfterClose = closed.getCount() == 0;
        }
    }

    boolean isReady() {
        return socket != null;
    }

    /**
     * Takes {@code s} as this peer's socket and attaches its recording listeners ({@link PeerRecorder#attach}),
     * first of all listeners: before the socket can emit anything (before {@code connect}, or first thing in the
     * connection listener), or, for a client of the late groups, after {@code connect()} returned, when the
     * lifecycle events it missed are replayed to them.
     */
    void attach(Socket s, @Nullable Server server, boolean watchOnRead) {
        socket = s;
        recording.attach(s, server, watchOnRead);
    }

    /** Fires this socket's DATA triggers: one more chunk (or text chunk, or onread call) was delivered. */
    void fireData() throws Exception {
        Listener trigger = dataTrigger;
        if (trigger != null) {
            trigger.handle();
        }
    }

    /** Appends text the socket's TEXT listener got. */
    void recordText(String t) {
        receivedLock.lock();
        try {
            text.append(t);
        } finally {
            receivedLock.unlock();
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

    /** Appends bytes this socket read. */
    void record(byte[] b, int off, int len) {
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
