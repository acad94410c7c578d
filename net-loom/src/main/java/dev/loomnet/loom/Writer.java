package dev.loomnet.loom;

import dev.loomnet.net.Callback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Moves one connection's {@link Outbound} bytes to the kernel, then sends the FIN after {@code end()}.
 *
 * <p>{@link #write} never blocks: it queues and, if nobody holds the writer role, gives it to a virtual thread
 * that lives while there is something to write: it takes every queued chunk (up to {@value #MAX_BATCH}) and
 * hands them to the kernel with one gathering write, so a burst of small writes costs one system call; then it
 * reports the flushed bytes and callbacks and ends when the queue is empty. A write made on the connection's
 * own thread while nothing is queued is first tried right there, without blocking ({@link Role#INLINE}).
 * Because reading never waits for writing, two peers that both write without reading cannot deadlock: each
 * one's bytes wait in its queue, and each one's reader keeps reading.
 *
 * <p>Two enums hold its state, under the socket's lock: where the stream is ({@link State}) and who may be
 * inside the channel's {@code write} now ({@link Role}); every transition is in this class.
 */
final class Writer {

    static final int MAX_BATCH = 64;

    /** Where the outgoing stream is. */
    enum State {
        /** Before the connection: writes queue, nothing goes. */
        CONNECTING,
        /** {@code end()} while connecting: the FIN follows the queued bytes once connected. */
        CONNECTING_ENDED,
        OPEN,
        /** {@code end()} was called: the FIN follows the queued bytes. */
        ENDING,
        /** The FIN was sent. */
        FINISHED,
        /** The socket was destroyed: nothing more is written, every callback failed. */
        FAILED,
        /** TLS took the connection over ({@link TakeOver}): what was queued goes, later writes fail, no FIN. */
        HANDED_OVER;

        boolean ended() {
            return this == CONNECTING_ENDED || this == ENDING || this == FINISHED;
        }
    }

    /** Who may be inside the channel's {@code write} (or holds the channel's blocking mode) now. */
    enum Role {
        NONE,
        /** A writer thread. */
        THREAD,
        /** A caller writing one chunk on its own thread, without blocking. */
        INLINE,
        /** The read loop, switching the channel's blocking mode for a read (Unix domain sockets). */
        READER
    }

    private final WriteSink sink;
    private final Outbound out;
    /** The socket's own lock: nothing blocks while holding it (channel writes and the FIN happen outside it). */
    private final ReentrantLock lock;
    /** Signalled whenever the queue shrinks or fails; created by the first blocking-style writer to wait. */
    private @Nullable Condition shrunk;
    private State state = State.CONNECTING;
    private Role role = Role.NONE;
    /** The transport asked for a flush ({@link #flushTransport}): the writer thread owes it one. */
    private boolean flushOwed;
    /** Whether {@link #fail} found bytes still unsent: what {@link #awaitFlushed} answers after a failure. */
    private boolean failedUnsent;

    Writer(WriteSink sink, int highWaterMark, ReentrantLock lock) {
        this.sink = sink;
        this.out = new Outbound(highWaterMark);
        this.lock = lock;
    }

    /** Bytes queued and not yet handed to the kernel ({@code writableLength}). */
    long length() {
        return out.length();
    }

    /** Bytes accepted by {@link #write}, sent or not ({@code bytesWritten}). */
    long accepted() {
        return out.accepted();
    }

    /** Whether a {@code false} return is waiting for its {@code drain}. */
    boolean drainOwed() {
        lock.lock();
        try {
            return out.drainOwed();
        } finally {
            lock.unlock();
        }
    }

    /** How many {@code cork()} calls await their {@code uncork()}. */
    int corks() {
        lock.lock();
        try {
            return out.corks();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues {@code data}; with {@code inline}, when nothing is queued or being written, first tries to hand it
     * to the kernel right here with {@link WriteSink#writeNow} (a non-blocking write), so that a listener replying
     * on the connection's own thread costs no thread switch. Whatever the kernel does not take at once is
     * queued for the writer thread as usual, so the caller never blocks. With {@code borrowed}, the caller keeps
     * {@code data} only for the duration of the call (a reused read buffer): what is not written inline is
     * copied before it is queued.
     *
     * @return whether the queue is still below the high-water mark (Node's return value of {@code write})
     */
    boolean write(ByteBuffer data, @Nullable Callback callback, boolean inline, boolean borrowed) {
        boolean below;
        boolean start;
        lock.lock();
        try {
            if (state == State.FAILED || state == State.HANDED_OVER || state.ended()) {
                // ended: an end() came after the socket's own check; queued now, the bytes could follow the FIN
                unlocked(state.ended() ? () -> sink.writeAfterEnd(callback) : () -> sink.rejected(callback));
                return false;
            }
            below = out.accept(data.remaining());
            if (inline && state == State.OPEN && role == Role.NONE && !out.corked() && !out.hasQueued()) {
                role = Role.INLINE;                       // the caller is the writer for this one chunk
                out.inFlight(callback == null ? List.of() : List.of(new Outbound.Chunk(data, callback)));
                start = false;
            } else {
                if (!below) {
                    out.owesDrain();
                }
                inline = false;
                out.add(Outbound.Chunk.owned(data, callback, borrowed));
                start = claim();
            }
        } finally {
            lock.unlock();
        }
        if (inline) {
            return writeInline(data, callback, borrowed);
        }
        if (start) {
            startThread();
        }
        return below;
    }

    /** Under the lock: runs {@code report}, the socket's answer to a refused write or end, without the lock. */
    private void unlocked(Runnable report) {
        lock.unlock();
        try {
            report.run();
        } finally {
            lock.lock();
        }
    }

    /**
     * The inline attempt. Its return value is computed after the attempt: bytes the kernel took at once never
     * sat in the queue, so a chunk written whole does not count against the high-water mark (Node counts it
     * until its write completes, which on its single thread is the same tick; here a {@code false} would cost
     * a pause and a drain, two thread hand-offs, for bytes already sent).
     */
    private boolean writeInline(ByteBuffer data, @Nullable Callback callback, boolean borrowed) {
        int written;
        try {
            written = sink.writeNow(data);
        } catch (IOException e) {
            failWith(e);
            return false;
        }
        boolean done = !data.hasRemaining();
        boolean start = false;
        boolean drain = false;
        boolean below;
        lock.lock();
        try {
            if (state == State.FAILED) {
                role = Role.NONE;
                return false;                             // destroyed meanwhile: fail() took the callback
            }
            out.written(written);
            if (written > 0) {
                signalShrunk();
            }
            if (!done) {
                out.addFirst(Outbound.Chunk.owned(data, callback, borrowed));   // before later writes
            }
            below = out.belowHighWaterMark();
            if (!below) {
                out.owesDrain();                          // before the writer may start and find it empty
            }
            if (out.hasQueued() || flushOwed || state == State.ENDING) {
                role = Role.THREAD;                       // keep the role and hand it to a thread
                start = true;
            } else {
                role = Role.NONE;
                drain = out.takeDrain();
            }
            if (written > 0 || done) {
                sink.flushed(written, done && callback != null ? List.of(callback) : List.of());
            }
        } finally {
            lock.unlock();
        }
        if (drain) {
            sink.drained();
        }
        if (start) {
            startThread();
        }
        return below;
    }

    /** Flushes what is queued, then sends the FIN; {@code callback} runs after the FIN. */
    void end(@Nullable Callback callback) {
        boolean start;
        boolean finNow = false;
        lock.lock();
        try {
            if (state == State.FAILED || state == State.HANDED_OVER) {
                unlocked(() -> sink.rejected(callback));  // destroyed (or taken over) since the socket looked
                return;
            }
            if (callback != null) {
                out.addEndCallback(callback);
            }
            state = state == State.CONNECTING ? State.CONNECTING_ENDED
                    : state == State.OPEN ? State.ENDING : state;
            start = claim();
            if (start && !out.hasQueued() && !sink.finMayBlock()) {
                // Nothing left to write: the FIN goes right here. A plain shutdownOutput never blocks, so no
                // thread needs to be started just for it.
                finNow = true;
                start = false;
            }
        } finally {
            lock.unlock();
        }
        if (finNow) {
            try {
                sendFin();
            } catch (IOException e) {
                failWith(e);
            }
        } else if (start) {
            startThread();
        }
    }

    /**
     * Adds a callback to the end callbacks of an {@link #end} already made (a second {@code end(callback)}); false,
     * and nothing added, once the writer failed.
     */
    boolean addEndCallback(Callback callback) {
        lock.lock();
        try {
            if (state == State.FAILED || state == State.HANDED_OVER) {
                return false;
            }
            out.addEndCallback(callback);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the end callbacks, for the socket's report of the finish ({@link WriteSink#finished()}). */
    List<Callback> takeEndCallbacks() {
        lock.lock();
        try {
            return out.takeEndCallbacks();
        } finally {
            lock.unlock();
        }
    }

    /** The connection is established: begin writing what was queued while connecting. */
    void start() {
        boolean start;
        lock.lock();
        try {
            state = state == State.CONNECTING ? State.OPEN : state == State.CONNECTING_ENDED ? State.ENDING : state;
            start = claim();
        } finally {
            lock.unlock();
        }
        if (start) {
            startThread();
        }
    }

    /** TLS takes the connection over: false (and nothing changed) unless connecting or open and not ended. */
    boolean handOver() {
        lock.lock();
        try {
            boolean open = state == State.OPEN || state == State.CONNECTING;
            state = open ? State.HANDED_OVER : state;
            return open;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the role for the read loop ({@link Role#READER}), for a moment in which no other thread may be
     * inside the channel's {@code write}: its non-blocking read on a Unix domain socket toggles the blocking
     * mode, which waits for the channel's write lock, and a writer blocked on a full peer holds that lock for as
     * long as the peer does not read. Writes made meanwhile are queued; {@link #releaseReader} starts a writer.
     *
     * @return false (and nothing taken) when a writer holds the role or the writer failed
     */
    boolean claimReader() {
        lock.lock();
        try {
            if (role != Role.NONE || state == State.FAILED) {
                return false;
            }
            role = Role.READER;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back the role {@link #claimReader} took, handing it to a writer thread if writes queued. */
    void releaseReader() {
        boolean start;
        lock.lock();
        try {
            role = Role.NONE;
            start = claim();
        } finally {
            lock.unlock();
        }
        if (start) {
            startThread();
        }
    }

    void cork() {
        lock.lock();
        try {
            out.cork();
        } finally {
            lock.unlock();
        }
    }

    void uncork() {
        boolean start;
        lock.lock();
        try {
            out.uncork();
            start = claim();
        } finally {
            lock.unlock();
        }
        if (start) {
            startThread();
        }
    }

    /**
     * Stops the writer for good and returns every callback that will now never succeed: the chunks in flight,
     * the queued ones, and the end callbacks, in that order.
     */
    List<Callback> fail() {
        lock.lock();
        try {
            if (state != State.FAILED) {
                failedUnsent = out.length() > 0;
            }
            state = State.FAILED;
            List<Callback> orphans = out.clear();
            signalShrunk();
            return orphans;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until at most {@code limit} bytes are queued.
     *
     * @return false if the writer failed (the socket was destroyed) first
     */
    boolean awaitLengthAtMost(long limit) {
        lock.lock();
        try {
            awaitLocked(limit);
            return state != State.FAILED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until every byte accepted so far has gone to the kernel; false if the writer failed with bytes still
     * unsent (a flush followed at once by the FIN and the socket's automatic destroy still completed).
     */
    boolean awaitFlushed() {
        lock.lock();
        try {
            awaitLocked(0);
            return state != State.FAILED || !failedUnsent;
        } finally {
            lock.unlock();
        }
    }

    private void awaitLocked(long limit) {
        while (out.length() > limit && state != State.FAILED) {
            if (shrunk == null) {
                shrunk = lock.newCondition();
            }
            shrunk.awaitUninterruptibly();
        }
    }

    /** Under the lock: wakes blocking-style writers, if any ever waited. */
    private void signalShrunk() {
        Condition c = shrunk;
        if (c != null) {
            c.signalAll();
        }
    }

    /**
     * Under the lock: gives the role to a writer thread if there is work for one; the caller then starts it.
     * Work is a writable chunk, or the FIN of an ended stream.
     */
    private boolean claim() {
        boolean ending = state == State.ENDING;
        if (role != Role.NONE || !(state == State.OPEN || ending || state == State.HANDED_OVER)
                || !(out.hasWritable(ending) || ending)) {
            return false;
        }
        role = Role.THREAD;
        return true;
    }

    /**
     * A write or the FIN failed: the socket destroys itself. The role is kept: a write arriving before the
     * destroy's {@link #fail} must not start a new writer, whose batch would replace the one in flight and so
     * lose the failed batch's callbacks.
     */
    private void failWith(IOException e) {
        boolean destroyed;
        lock.lock();
        try {
            destroyed = state == State.FAILED;
        } finally {
            lock.unlock();
        }
        // A writer failed by a destroy sees its channel closed: that is no error of the socket, which may by now
        // serve a new connection (a reconnect) with a writer of its own.
        if (!destroyed) {
            sink.failed(e);
        }
    }

    private void startThread() {
        Threads.startVirtual(sink.writerName(), this::run);
    }

    /**
     * The transport holds bytes for the peer that no writer is about to send (TLS: a reader's answer to a
     * KeyUpdate): a writer thread sends them ({@link WriteSink#flush()}), now or after its current batch.
     */
    void flushTransport() {
        boolean start;
        lock.lock();
        try {
            if (state == State.FAILED || state == State.FINISHED) {
                return;
            }
            flushOwed = true;
            start = role == Role.NONE;
            if (start) {
                role = Role.THREAD;
            }
        } finally {
            lock.unlock();
        }
        if (start) {
            startThread();
        }
    }

    /** The writer thread's body: batches until the queue is empty (and the FIN, if ending). */
    private void run() {
        try {
            for (;;) {
                List<Outbound.Chunk> batch;
                boolean fin = false;
                boolean drain = false;
                boolean flush;
                lock.lock();
                try {
                    if (state == State.FAILED) {
                        role = Role.NONE;
                        return;
                    }
                    flush = flushOwed;
                    flushOwed = false;
                    boolean ending = state == State.ENDING;
                    if (flush) {
                        batch = List.of();                // the transport's bytes first, then look again
                    } else if (!out.hasWritable(ending)) {
                        if (!out.hasQueued() && ending) {
                            fin = true;
                        } else {
                            role = Role.NONE;
                            drain = out.takeDrain();
                        }
                        batch = List.of();
                    } else {
                        batch = out.takeBatch(MAX_BATCH);
                    }
                } finally {
                    lock.unlock();
                }
                if (flush) {
                    sink.flush();
                    continue;
                }
                if (batch.isEmpty()) {
                    if (fin) {
                        sendFin();
                    } else if (drain) {
                        sink.drained();
                    }
                    return;
                }
                long bytes = writeFully(batch);
                lock.lock();
                try {
                    if (state == State.FAILED) {
                        role = Role.NONE;
                        return;                           // destroyed meanwhile: fail() took the callbacks
                    }
                    out.written(bytes);
                    signalShrunk();
                    List<Callback> callbacks = new ArrayList<>(0);
                    Outbound.callbacksOf(batch, callbacks);
                    // Reported under the lock, as fail() takes callbacks under it: a destroy either finds the
                    // batch still in flight (failed, above) or comes after this post, and so does its CLOSE.
                    sink.flushed(bytes, callbacks);
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            failWith(e);
        }
    }

    private long writeFully(List<Outbound.Chunk> batch) throws IOException {
        ByteBuffer[] buffers = new ByteBuffer[batch.size()];
        long total = 0;
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = batch.get(i).data();
            total += buffers[i].remaining();
        }
        long left = total;
        int first = 0;
        while (left > 0) {
            long n = sink.write(buffers, first, buffers.length - first);
            left -= n;
            if (n > 0 && left > 0) {
                sink.progressed();
            }
            while (first < buffers.length && !buffers[first].hasRemaining()) {
                first++;
            }
        }
        return total;
    }

    private void sendFin() throws IOException {
        sink.shutdownOutput();
        lock.lock();
        try {
            state = State.FINISHED;
            role = Role.NONE;
        } finally {
            lock.unlock();
        }
        sink.finished();                                  // which takes the end callbacks (see WriteSink.finished)
    }
}
