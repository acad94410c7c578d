package dev.loomnet.loom;

import dev.loomnet.net.Callback;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One socket's outgoing bytes: queued chunks, the high-water mark, {@code drain}, write callbacks, cork, and
 * the FIN after {@code end()}.
 *
 * <p>{@link #write} never blocks: it appends and, if no writer is running, starts one. The writer is a
 * virtual thread that lives while there is something to write: it takes every queued chunk (up to
 * {@value #MAX_BATCH}) and hands them to the kernel with one gathering {@code write(ByteBuffer[])}, so a burst
 * of small writes costs one system call; then it reports the flushed bytes and callbacks to the socket and
 * ends when the queue is empty. Because reading never waits for writing, two peers that both write without
 * reading cannot deadlock: each one's bytes wait in its queue, and each one's reader keeps reading.
 */
final class WriteQueue {

    static final int MAX_BATCH = 64;

    /** An inline write without a callback: nothing for {@link #failAll} to report while it is in flight. */
    private static final List<Pending> INLINE_WITHOUT_CALLBACK = List.of();
    private static final VarHandle LENGTH;
    private static final VarHandle ACCEPTED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LENGTH = lookup.findVarHandle(WriteQueue.class, "length", long.class);
            ACCEPTED = lookup.findVarHandle(WriteQueue.class, "accepted", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the queue needs from its socket. */
    interface Owner {
        @Nullable SocketChannel channel();

        /**
         * {@code bytes} reached the kernel; {@code callbacks} (in order, may be empty) are to run now. Called under
         * the queue's lock, so that the owner posts them before a {@code destroy()}'s {@link #failAll} returns.
         */
        void flushed(long bytes, List<Callback> callbacks);

        /**
         * Part of the batch in flight reached the kernel and the rest is still being written: the socket is not
         * idle (Node re-arms the idle timer while a slow write keeps moving).
         */
        void progressed();

        /** The queue emptied after a write returned {@code false}. */
        void drained();

        /**
         * FIN was sent after {@code end()}. The end callbacks stay in the queue until the owner takes them with
         * {@link #takeEndCallbacks()} when it reports the finish, so that a {@code destroy()} in between still
         * finds them in {@link #failAll()}, and an {@code end(callback)} in between still gets this finish.
         */
        void finished();

        /** Writes what the kernel takes now without blocking; returns the bytes written (maybe 0). */
        int writeNow(ByteBuffer data) throws IOException;

        /** A write arrived after the queue failed (the socket was destroyed meanwhile). */
        void rejected(@Nullable Callback callback);

        /** Writing failed; the owner destroys the socket, which calls {@link #failAll()}. */
        void writeFailed(IOException error);

        String writerName();
    }

    /** A chunk to write and its callback. */
    private record Pending(ByteBuffer data, @Nullable Callback callback) {

        /** The chunk to queue: {@code data} itself, or a copy of its remaining bytes if they are borrowed. */
        static Pending owned(ByteBuffer data, @Nullable Callback callback, boolean borrowed) {
            if (!borrowed) {
                return new Pending(data, callback);
            }
            return new Pending(ByteBuffer.wrap(Bytes.takeRemaining(data)), callback);
        }
    }

    private final Owner owner;
    private final int highWaterMark;
    /** The socket's own lock (see the constructor). */
    private final ReentrantLock lock;
    /**
     * Signalled whenever {@link #length} drops or the queue fails; blocking-style writers wait on it. Created by
     * the first such writer, under the lock: most sockets never have one, and each costs an idle connection.
     */
    private @Nullable Condition shrunk;
    private @Nullable ArrayDeque<Pending> queue;
    private @Nullable List<Pending> inFlight;
    private @Nullable List<Callback> endCallbacks;
    /**
     * Bytes queued and not yet written. Changed only under {@link #lock} and published with a release store
     * ({@link #LENGTH}), so the per-write bookkeeping costs no fence; other threads read it with acquire.
     */
    private long length;
    /** Bytes ever accepted; same publication as {@link #length}. */
    private long accepted;
    private boolean started;
    private boolean writerRunning;
    private boolean needDrain;
    private boolean ending;
    private boolean finished;
    private boolean failed;
    /** Whether {@link #failAll} found bytes still unsent ({@link #awaitFlushed}); a boolean fits the padding. */
    private boolean failedUnsent;
    private int corked;

    WriteQueue(Owner owner, int highWaterMark) {
        this(owner, highWaterMark, new ReentrantLock());
    }

    /**
     * @param lock the lock guarding this queue's state; a socket passes its own, so that an idle connection
     *             carries one lock fewer. Nothing blocks while holding it (channel writes and the FIN happen
     *             outside it), so sharing it costs no waiting.
     */
    WriteQueue(Owner owner, int highWaterMark, ReentrantLock lock) {
        this.owner = owner;
        this.highWaterMark = highWaterMark;
        this.lock = lock;
    }

    /** Under the lock: wakes blocking-style writers, if any ever waited. */
    private void signalShrunk() {
        Condition c = shrunk;
        if (c != null) {
            c.signalAll();
        }
    }

    /** Bytes queued and not yet handed to the kernel ({@code writableLength}). */
    long length() {
        return (long) LENGTH.getAcquire(this);
    }

    /** Changes {@link #length} (the caller holds {@link #lock}). */
    private void addLength(long delta) {
        LENGTH.setRelease(this, length + delta);
    }

    /**
     * Blocks until at most {@code limit} bytes are queued.
     *
     * @return false if the queue failed (the socket was destroyed) first
     */
    boolean awaitLengthAtMost(long limit) {
        lock.lock();
        try {
            awaitLocked(limit);
            return !failed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until every byte accepted so far has gone to the kernel.
     *
     * @return false if the queue failed (the socket was destroyed) with bytes still unsent; true when it failed
     *     with none, even if this waiter woke only after the failure: a flush that completes and is followed at
     *     once by the FIN and the socket's automatic destroy is still a completed flush
     */
    boolean awaitFlushed() {
        lock.lock();
        try {
            awaitLocked(0);
            return !failed || !failedUnsent;
        } finally {
            lock.unlock();
        }
    }

    private void awaitLocked(long limit) {
        while (length > limit && !failed) {
            if (shrunk == null) {
                shrunk = lock.newCondition();
            }
            shrunk.awaitUninterruptibly();
        }
    }

    /** Whether a {@code false} return is waiting for its {@code drain}. */
    boolean drainPending() {
        lock.lock();
        try {
            return needDrain;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes accepted by {@link #write}, sent or not ({@code bytesWritten}). */
    long accepted() {
        return (long) ACCEPTED.getAcquire(this);
    }

    /**
     * Queues {@code data}.
     *
     * @return whether the queue is still below the high-water mark (Node's return value of {@code write})
     */
    boolean write(ByteBuffer data, @Nullable Callback callback) {
        return write(data, callback, false);
    }

    /**
     * Queues {@code data}; with {@code inline}, when nothing is queued or being written, first tries to hand it
     * to the kernel right here with {@link Owner#writeNow} (a non-blocking write), so that a listener replying
     * on the connection's own thread costs no thread switch. Whatever the kernel does not take at once is
     * queued for the writer thread as usual, so the caller never blocks.
     *
     * @return whether the queue is still below the high-water mark (Node's return value of {@code write})
     */
    boolean write(ByteBuffer data, @Nullable Callback callback, boolean inline) {
        return write(data, callback, inline, false);
    }

    /**
     * {@link #write(ByteBuffer, Callback, boolean)} for bytes the caller keeps only for the duration of the call
     * (a reused read buffer): whatever is not handed to the kernel inline is copied before it is queued.
     */
    boolean writeBorrowed(ByteBuffer data, boolean inline) {
        return write(data, null, inline, true);
    }

    private boolean write(ByteBuffer data, @Nullable Callback callback, boolean inline, boolean borrowed) {
        boolean below;
        boolean start;
        int n = data.remaining();
        lock.lock();
        try {
            if (failed) {
                lock.unlock();
                try {
                    owner.rejected(callback);
                } finally {
                    lock.lock();
                }
                return false;
            }
            addLength(n);
            ACCEPTED.setRelease(this, accepted + n);
            below = length < highWaterMark;
            boolean idle = started && !writerRunning && !ending && !finished && corked == 0
                    && (queue == null || queue.isEmpty());
            if (inline && idle) {
                writerRunning = true;                     // the caller is the writer for this one chunk
                inFlight = callback == null ? INLINE_WITHOUT_CALLBACK : List.of(new Pending(data, callback));
                start = false;
            } else {
                if (!below) {
                    needDrain = true;
                }
                inline = false;
                if (queue == null) {
                    queue = new ArrayDeque<>(4);
                }
                queue.add(Pending.owned(data, callback, borrowed));
                start = claimWriter();
            }
        } finally {
            lock.unlock();
        }
        if (inline) {
            return writeInline(data, callback, borrowed);
        } else if (start) {
            startWriter();
        }
        return below;
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
            written = owner.writeNow(data);
        } catch (IOException e) {
            writerFailed(e);
            return false;
        }
        boolean done = !data.hasRemaining();
        boolean start = false;
        boolean drain = false;
        boolean below;
        lock.lock();
        try {
            if (failed) {
                writerRunning = false;
                return false;                             // destroyed meanwhile: failAll took the callback
            }
            inFlight = null;
            addLength(-written);
            if (written > 0) {
                signalShrunk();
            }
            if (!done) {
                if (queue == null) {
                    queue = new ArrayDeque<>(4);
                }
                queue.addFirst(Pending.owned(data, callback, borrowed)); // the rest first, before later writes
            }
            below = length < highWaterMark;
            if (!below) {
                needDrain = true;                         // before the writer may start and find it empty
            }
            if ((queue != null && !queue.isEmpty()) || ending) {
                start = true;                             // keep the writer role and hand it to a thread
            } else {
                writerRunning = false;
                drain = needDrain && length == 0;
                if (drain) {
                    needDrain = false;
                }
            }
            if (written > 0 || done) {
                // under the lock, for the reason given in runWriter
                owner.flushed(written, done && callback != null ? List.of(callback) : List.of());
            }
        } finally {
            lock.unlock();
        }
        if (drain) {
            owner.drained();
        }
        if (start) {
            startWriter();
        }
        return below;
    }

    /** Flushes what is queued, then sends FIN; {@code callback} runs after the FIN. */
    void end(@Nullable Callback callback) {
        boolean start;
        boolean finNow = false;
        lock.lock();
        try {
            if (failed) {
                // Destroyed since the socket looked: failAll has run and would never report the callback.
                lock.unlock();
                try {
                    owner.rejected(callback);
                } finally {
                    lock.lock();
                }
                return;
            }
            if (callback != null) {
                if (endCallbacks == null) {
                    endCallbacks = new ArrayList<>(1);
                }
                endCallbacks.add(callback);
            }
            ending = true;
            start = claimWriter();
            if (start && (queue == null || queue.isEmpty())) {
                // Nothing left to write: send the FIN right here. shutdownOutput never blocks, so no thread
                // needs to be started just for it (a closing connection used to start one).
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
                writerFailed(e);
            }
        } else if (start) {
            startWriter();
        }
    }

    /**
     * Adds a callback to the end callbacks of an {@link #end} already made (a second {@code end(callback)}); false,
     * and nothing added, once the queue failed.
     */
    boolean addEndCallback(Callback callback) {
        lock.lock();
        try {
            if (failed) {
                return false;
            }
            if (endCallbacks == null) {
                endCallbacks = new ArrayList<>(1);
            }
            endCallbacks.add(callback);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the end callbacks, for the owner's report of the finish ({@link Owner#finished()}). */
    List<Callback> takeEndCallbacks() {
        lock.lock();
        try {
            List<Callback> out = endCallbacks == null ? List.of() : endCallbacks;
            endCallbacks = null;
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** The connection is established: begin writing what was queued while connecting. */
    void start() {
        boolean start;
        lock.lock();
        try {
            started = true;
            start = claimWriter();
        } finally {
            lock.unlock();
        }
        if (start) {
            startWriter();
        }
    }

    /**
     * Takes the writer role for a moment in which no other thread may be inside the channel's {@code write}:
     * the read loop's non-blocking read attempt on a Unix domain socket toggles the blocking mode, which waits
     * for the channel's write lock, and a writer blocked on a full peer holds that lock for as long as the peer
     * does not read. Writes made meanwhile are queued; {@link #releaseWriterRole} starts a writer for them.
     *
     * @return false (and nothing taken) when a writer is running or the queue failed
     */
    boolean claimWriterRole() {
        lock.lock();
        try {
            if (writerRunning || failed) {
                return false;
            }
            writerRunning = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back the role {@link #claimWriterRole} took, handing it to a writer thread if writes queued. */
    void releaseWriterRole() {
        boolean start;
        lock.lock();
        try {
            writerRunning = false;
            start = claimWriter();
        } finally {
            lock.unlock();
        }
        if (start) {
            startWriter();
        }
    }

    /** Whether chunks are held by {@link #cork()} now. */
    boolean isCorked() {
        lock.lock();
        try {
            return corked > 0;
        } finally {
            lock.unlock();
        }
    }

    void cork() {
        lock.lock();
        try {
            corked++;
        } finally {
            lock.unlock();
        }
    }

    void uncork() {
        boolean start;
        lock.lock();
        try {
            if (corked > 0) {
                corked--;
            }
            start = claimWriter();
        } finally {
            lock.unlock();
        }
        if (start) {
            startWriter();
        }
    }

    /**
     * Stops the queue for good and returns every callback that will now never succeed: the chunks in flight,
     * the queued ones, and the end callbacks, in that order.
     */
    List<Callback> failAll() {
        lock.lock();
        try {
            if (!failed) {
                failedUnsent = length > 0;
            }
            failed = true;
            List<Callback> out = new ArrayList<>();
            if (inFlight != null) {
                collect(inFlight, out);
                inFlight = null;
            }
            if (queue != null) {
                collect(queue, out);
                queue.clear();
            }
            if (endCallbacks != null) {
                out.addAll(endCallbacks);
                endCallbacks = null;
            }
            LENGTH.setRelease(this, 0L);
            signalShrunk();
            return out;
        } finally {
            lock.unlock();
        }
    }

    private static void collect(Iterable<Pending> pending, List<Callback> out) {
        for (Pending p : pending) {
            if (p.callback() != null) {
                out.add(p.callback());
            }
        }
    }

    /** Under the lock: whether the caller must start the writer (and now owns that role). */
    private boolean claimWriter() {
        if (!started || writerRunning || failed || finished) {
            return false;
        }
        boolean hasData = queue != null && !queue.isEmpty() && (corked == 0 || ending);
        if (hasData || ending) {
            writerRunning = true;
            return true;
        }
        return false;
    }

    /**
     * The writer (a thread, an inline write or the FIN) failed: let the owner destroy the socket. The writer role
     * is kept: a write arriving before the destroy's {@link #failAll} must not start a new writer, whose batch
     * would replace {@link #inFlight} and so lose the failed batch's callbacks.
     */
    private void writerFailed(IOException e) {
        boolean destroyed;
        lock.lock();
        try {
            destroyed = failed;
        } finally {
            lock.unlock();
        }
        // A queue failed by destroy() sees its channel closed: that is no error of the socket, which may by now
        // serve a new connection (a reconnect) with a queue of its own.
        if (!destroyed) {
            owner.writeFailed(e);
        }
    }

    private void startWriter() {
        Threads.startVirtual(owner.writerName(), this::runWriter);
    }

    private void runWriter() {
        try {
            for (;;) {
                List<Pending> batch;
                boolean fin = false;
                boolean drain = false;
                lock.lock();
                try {
                    if (failed) {
                        writerRunning = false;
                        return;
                    }
                    boolean empty = queue == null || queue.isEmpty();
                    if (empty || (corked > 0 && !ending)) {
                        if (empty && ending && !finished) {
                            fin = true;
                        } else {
                            writerRunning = false;
                            drain = empty && needDrain;
                            if (drain) {
                                needDrain = false;
                            }
                        }
                        batch = List.of();
                    } else {
                        int n = Math.min(Objects.requireNonNull(queue).size(), MAX_BATCH); // not empty
                        batch = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            batch.add(queue.poll());
                        }
                        inFlight = batch;
                    }
                } finally {
                    lock.unlock();
                }
                if (batch.isEmpty()) {
                    if (fin) {
                        sendFin();
                    } else if (drain) {
                        owner.drained();
                    }
                    return;
                }
                long bytes = writeFully(batch);
                List<Callback> callbacks;
                lock.lock();
                try {
                    if (failed) {
                        writerRunning = false;
                        return;                      // destroyed meanwhile: failAll took the callbacks
                    }
                    inFlight = null;
                    addLength(-bytes);
                    signalShrunk();
                    callbacks = new ArrayList<>(0);
                    collect(batch, callbacks);
                    // Reported under the lock, as failAll takes callbacks under it: a destroy() either finds the
                    // batch still in flight (failed, above) or comes after this post, and so does its CLOSE.
                    // Reported after unlocking, the callbacks could run after CLOSE.
                    owner.flushed(bytes, callbacks);
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            writerFailed(e);
        }
    }

    private long writeFully(List<Pending> batch) throws IOException {
        SocketChannel ch = owner.channel();
        if (ch == null) {
            throw new java.nio.channels.ClosedChannelException();
        }
        ByteBuffer[] buffers = new ByteBuffer[batch.size()];
        long total = 0;
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = batch.get(i).data();
            total += buffers[i].remaining();
        }
        long left = total;
        int first = 0;
        while (left > 0) {
            long n = buffers.length == 1 ? ch.write(buffers[0]) : ch.write(buffers, first, buffers.length - first);
            left -= n;
            if (n > 0 && left > 0) {
                owner.progressed();
            }
            while (first < buffers.length && !buffers[first].hasRemaining()) {
                first++;
            }
        }
        return total;
    }

    private void sendFin() throws IOException {
        SocketChannel ch = owner.channel();
        if (ch == null) {
            throw new java.nio.channels.ClosedChannelException();
        }
        ch.shutdownOutput();
        lock.lock();
        try {
            finished = true;
            writerRunning = false;
        } finally {
            lock.unlock();
        }
        owner.finished();                                 // which takes the end callbacks (see Owner.finished)
    }
}
