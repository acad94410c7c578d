package dev.loomnet.loom;

import dev.loomnet.net.Callback;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One connection's outgoing bytes as a plain data structure (Netty's {@code ChannelOutboundBuffer}): the queued
 * chunks and their callbacks, the batch in flight, the byte counts against the high-water mark and Node's
 * {@code needDrain}, the cork count, and the callbacks of {@code end()}. It starts no thread and does no I/O:
 * {@link Writer} decides when its chunks go to the kernel. Every method but {@link #length()} and
 * {@link #accepted()} is called under the socket's lock.
 */
final class Outbound {

    private static final VarHandle LENGTH;
    private static final VarHandle ACCEPTED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LENGTH = lookup.findVarHandle(Outbound.class, "length", long.class);
            ACCEPTED = lookup.findVarHandle(Outbound.class, "accepted", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A chunk to write and its callback. */
    record Chunk(ByteBuffer data, @Nullable Callback callback) {

        /** The chunk to queue: {@code data} itself, or a copy of its remaining bytes if they are borrowed. */
        static Chunk owned(ByteBuffer data, @Nullable Callback callback, boolean borrowed) {
            return borrowed ? new Chunk(ByteBuffer.wrap(Bytes.takeRemaining(data)), callback) : new Chunk(data, callback);
        }
    }

    private final int highWaterMark;
    private @Nullable ArrayDeque<Chunk> queue;
    /** The chunks a writer took and has not reported yet (their callbacks fail with the socket). */
    private @Nullable List<Chunk> inFlight;
    private @Nullable List<Callback> endCallbacks;
    /**
     * Bytes accepted and not yet written. Changed only under the lock and published with a release store, so
     * the per-write bookkeeping costs no fence; other threads read it with acquire.
     */
    private long length;
    /** Bytes ever accepted; same publication as {@link #length}. */
    private long accepted;
    /** Node's {@code needDrain}: a {@code write} returned false, and {@code drain} is owed once the queue empties. */
    private boolean needDrain;
    private int corked;

    Outbound(int highWaterMark) {
        this.highWaterMark = highWaterMark;
    }

    /** Bytes accepted and not yet handed to the kernel ({@code writableLength}); any thread. */
    long length() {
        return (long) LENGTH.getAcquire(this);
    }

    /** Bytes ever accepted, sent or not ({@code bytesWritten}); any thread. */
    long accepted() {
        return (long) ACCEPTED.getAcquire(this);
    }

    /**
     * Counts {@code n} more bytes accepted by a {@code write}.
     *
     * @return whether the queue is still below the high-water mark (Node's return value of {@code write})
     */
    boolean accept(int n) {
        LENGTH.setRelease(this, length + n);
        ACCEPTED.setRelease(this, accepted + n);
        return length < highWaterMark;
    }

    /** Whether the queue is below the high-water mark. */
    boolean belowHighWaterMark() {
        return length < highWaterMark;
    }

    /** {@code bytes} left for the kernel; the batch in flight, if any, is done. */
    void written(long bytes) {
        LENGTH.setRelease(this, length - bytes);
        inFlight = null;
    }

    /** A write returned false: {@code drain} is owed. */
    void owesDrain() {
        needDrain = true;
    }

    /** Whether a {@code false} return is waiting for its {@code drain}. */
    boolean drainOwed() {
        return needDrain;
    }

    /** Takes the owed {@code drain} if the queue is empty now: true once per {@code false} return. */
    boolean takeDrain() {
        if (needDrain && length == 0) {
            needDrain = false;
            return true;
        }
        return false;
    }

    /** Appends a chunk after the others. */
    void add(Chunk chunk) {
        queue().add(chunk);
    }

    /** Puts back the rest of a chunk the kernel took only part of, before every later chunk. */
    void addFirst(Chunk rest) {
        queue().addFirst(rest);
    }

    private ArrayDeque<Chunk> queue() {
        ArrayDeque<Chunk> q = queue;
        if (q == null) {
            q = new ArrayDeque<>(4);
            queue = q;
        }
        return q;
    }

    /** Whether chunks are queued (corked or not). */
    boolean hasQueued() {
        return queue != null && !queue.isEmpty();
    }

    /** Whether queued chunks may go now: some are queued and the queue is not corked (or is ending). */
    boolean hasWritable(boolean ending) {
        return hasQueued() && (corked == 0 || ending);
    }

    /** Marks the given chunk as in flight (a write attempted by its caller, outside the queue). */
    void inFlight(List<Chunk> chunks) {
        inFlight = chunks;
    }

    /** Takes up to {@code max} queued chunks as the batch in flight. */
    List<Chunk> takeBatch(int max) {
        ArrayDeque<Chunk> q = queue();
        int n = Math.min(q.size(), max);
        List<Chunk> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            batch.add(q.poll());
        }
        inFlight = batch;
        return batch;
    }

    void cork() {
        corked++;
    }

    void uncork() {
        if (corked > 0) {
            corked--;
        }
    }

    boolean corked() {
        return corked > 0;
    }

    /** How many {@code cork()} calls await their {@code uncork()}. */
    int corks() {
        return corked;
    }

    void addEndCallback(Callback callback) {
        if (endCallbacks == null) {
            endCallbacks = new ArrayList<>(1);
        }
        endCallbacks.add(callback);
    }

    /** Takes the end callbacks, for the report of the finish. */
    List<Callback> takeEndCallbacks() {
        List<Callback> out = endCallbacks == null ? List.of() : endCallbacks;
        endCallbacks = null;
        return out;
    }

    /**
     * Empties the buffer for good and returns every callback that will now never succeed: the chunks in flight,
     * the queued ones, and the end callbacks, in that order.
     */
    List<Callback> clear() {
        List<Callback> out = new ArrayList<>();
        if (inFlight != null) {
            callbacksOf(inFlight, out);
            inFlight = null;
        }
        if (queue != null) {
            callbacksOf(queue, out);
            queue.clear();
        }
        out.addAll(takeEndCallbacks());
        LENGTH.setRelease(this, 0L);
        return out;
    }

    /** Adds the callbacks of {@code chunks} to {@code out}, in order. */
    static void callbacksOf(Iterable<Chunk> chunks, List<Callback> out) {
        for (Chunk c : chunks) {
            if (c.callback() != null) {
                out.add(c.callback());
            }
        }
    }
}
