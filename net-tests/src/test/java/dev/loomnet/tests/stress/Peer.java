package dev.loomnet.tests.stress;

import dev.loomnet.net.Callback;
import dev.loomnet.net.Listener;
import dev.loomnet.net.NetException;
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

        Cb(String label, int write, long endOffset) {
            this.label = label;
            this.write = write;
            this.endOffset = endOffset;
        }
    }

    final Side side;
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
    final AtomicInteger falseReturns = new AtomicInteger();
    final AtomicInteger endDataOps = new AtomicInteger();
    /** The test destroyed, reset or threw on this socket (so bytes may be lost). */
    volatile boolean violated;
    volatile boolean timeoutSet;
    final List<Throwable> ownErrors = new CopyOnWriteArrayList<>();
    /** What THROW operations threw from this socket's listeners. */
    final List<Throwable> thrown = new CopyOnWriteArrayList<>();

    /** The pipe recorder's {@code end()} calls, and writes after the first. */
    final AtomicInteger recorderEnds = new AtomicInteger();
    final AtomicInteger recorderWritesAfterEnd = new AtomicInteger();
    final List<Thread> helpers = new CopyOnWriteArrayList<>();
    volatile int connectionsAtClose = -1;

    Peer(Side side, Scenario.SideConfig config) {
        this.side = side;
        this.config = config;
    }

    /** The socket; for V, waits (bounded) until the server accepted it. */
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

    boolean isReady() {
        return socket != null;
    }

    /**
     * Attaches the recording listeners, first of all listeners and before the socket can emit anything (before
     * {@code connect}, or first thing in the connection listener).
     */
    void attach(Socket s, @Nullable Server server) {
        socket = s;
        if (side == Side.V) {
            log.add("connection");
        }
        s.on(Socket.CONNECT, () -> log.add("connect"))
                .on(Socket.READY, () -> log.add("ready"))
                .on(Socket.END, () -> {
                    log.add("end");
                    if (s.readable()) {
                        anomalies.add("readable() is true inside END");
                    }
                    if (!s.allowHalfOpen()) {
                        markEnd();               // auto-end follows: later writes may fail
                    }
                })
                .on(Socket.DRAIN, () -> log.add("drain"))
                .on(Socket.FINISH, () -> {
                    log.add("finish");
                    finishSeen = true;
                    if (s.writable()) {
                        anomalies.add("writable() is true inside FINISH");
                    }
                })
                .on(Socket.TIMEOUT, () -> log.add("timeout"))
                .on(Socket.ERROR, e -> {
                    errors.add(e);
                    log.add("error:" + code(e));
                })
                .on(Socket.CLOSE, hadError -> {
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
            s.on(Socket.DATA, this::received);
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
