package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.jspecify.annotations.Nullable;

/**
 * The writing half of a {@link TlsChannel}: wraps plaintext into records and writes them to the channel with
 * blocking writes, and sends {@code close_notify} then the FIN.
 *
 * <p><b>Two locks, two jobs.</b> {@link #wrapLock} orders the records: every {@code engine.wrap} runs under it
 * and appends its output to one buffer, the {@link #outbox}, so the bytes reach the wire in the order the
 * engine produced them (which the record sequence numbers and a KeyUpdate's key switch require). It is never
 * held while blocking. {@link #sendLock} is the writer role: its holder takes the outbox's bytes out (swapping in
 * an empty buffer) and writes them to the channel, blocking as long as the peer does not read. Only the writer
 * thread (the owner's writer, or the handshake thread before it) takes {@code sendLock}.
 *
 * <p><b>The reader's hand-off.</b> When an unwrap leaves the engine needing to wrap (a TLS 1.3 KeyUpdate to
 * answer, a key limit reached on reading, a reply to an alert), the reader wraps right away
 * under {@code wrapLock} ({@link #wrapForReader}: CPU only, so it never waits for the network and two peers
 * cannot deadlock through it) and leaves the bytes in the outbox. A writer inside {@link #write} sends them
 * before it leaves: it gives up the role only after finding the outbox empty under {@code wrapLock}
 * ({@link #sending}). If no writer is inside, {@code wrapForReader} returns true and the owner must have
 * {@link #flush} called on a writer thread soon; until then the bytes wait, in order, in front of anything
 * wrapped later.
 */
final class TlsOutbound {

    /** Records wrapped before one channel write: one system call carries up to this many. */
    private static final int BATCH_RECORDS = 4;
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    private final SSLEngine engine;
    private final SocketChannel channel;
    /** The owner's hook to have {@link #flush} called on a writer thread (as {@link TlsInbound}'s). */
    private final Runnable flushNeeded;
    private final ReentrantLock wrapLock = new ReentrantLock();
    private final ReentrantLock sendLock = new ReentrantLock();
    /** Wrapped bytes not yet taken by the writer, in fill mode; guarded by {@link #wrapLock}. */
    private ByteBuffer outbox;
    /** A drained buffer kept for the next swap; guarded by {@link #sendLock}. */
    private @Nullable ByteBuffer spare;
    /** A thread holds the writer role and will drain the outbox before leaving; guarded by {@link #wrapLock}. */
    private boolean sending;
    /** The FIN was sent: nothing more can be written; guarded by {@link #wrapLock}. */
    private boolean shut;

    TlsOutbound(SSLEngine engine, SocketChannel channel, Runnable flushNeeded) {
        this.engine = engine;
        this.channel = channel;
        this.flushNeeded = flushNeeded;
        this.outbox = ByteBuffer.allocate(packetSize() * BATCH_RECORDS);
    }

    private int packetSize() {
        return engine.getSession().getPacketBufferSize();
    }

    /**
     * Wraps all of {@code srcs} and writes the records, blocking until the kernel took them; sends any
     * handshake or alert bytes that were waiting first. Writer role only.
     *
     * @return the plaintext bytes consumed (all that {@code srcs} had)
     * @throws NetException {@code EPIPE} when the engine's output is closed (after {@link #shutdownOutput})
     */
    long write(ByteBuffer[] srcs) throws IOException {
        sendLock.lock();
        try {
            return pump(srcs);
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * The inline write of the connection's own thread, which holds the owner's writer role for one chunk and
     * the read lock (so no read waits on the channel): wraps one batch of {@code src}, then writes what the
     * kernel takes at once, the channel switched to non-blocking for that one attempt. Wrapped bytes the kernel
     * did not take stay at the front of the outbox, and {@code flushNeeded} has them sent; plaintext not
     * wrapped stays in {@code src}. A writer thread per chunk would otherwise be started and ended for every
     * write, and that churn keeps the scheduler from running the poller's wake-ups.
     *
     * @return the plaintext consumed; 0 when a writer is inside or the output is closed
     */
    long writeNow(ByteBuffer src) throws IOException {
        if (!sendLock.tryLock()) {
            return 0;
        }
        try {
            ByteBuffer batch;
            long consumed;
            wrapLock.lock();
            try {
                if (shut || engine.isOutboundDone() || outbox.position() > 0) {
                    return 0;                             // the writer thread reports or sends those first
                }
                consumed = wrapBatch(new ByteBuffer[] {src});
                if (outbox.position() == 0) {
                    return consumed;
                }
                batch = takeOutbox();
            } finally {
                wrapLock.unlock();
            }
            channel.configureBlocking(false);
            try {
                channel.write(batch);
            } finally {
                channel.configureBlocking(true);
            }
            if (batch.hasRemaining()) {
                putBack(batch);
                flushNeeded.run();
            } else {
                batch.clear();
                spare = batch;
            }
            return consumed;
        } finally {
            sendLock.unlock();
        }
    }

    /** Under {@link #sendLock}: what the kernel did not take goes back in front of anything wrapped since. */
    private void putBack(ByteBuffer unsent) {
        wrapLock.lock();
        try {
            outbox.flip();
            ByteBuffer merged = ByteBuffer.allocate(Math.max(unsent.remaining() + outbox.remaining(),
                    packetSize() * BATCH_RECORDS));
            merged.put(unsent).put(outbox);
            outbox = merged;
        } finally {
            wrapLock.unlock();
        }
    }

    /** Sends what the reader (or the handshake) wrapped and nobody sent yet. Writer role only. */
    void flush() throws IOException {
        write(NOTHING);
    }

    /**
     * Sends {@code close_notify}, then shuts the channel's output (the FIN). The peer may go on sending: the
     * engine's input stays open after {@code closeOutbound}, in TLS 1.3 and in TLS 1.2 alike.
     * Writer role only; idempotent.
     */
    void shutdownOutput() throws IOException {
        sendLock.lock();
        try {
            if (isShut()) {
                return;
            }
            engine.closeOutbound();
            pump(NOTHING);
            wrapLock.lock();
            try {
                shut = true;
            } finally {
                wrapLock.unlock();
            }
            channel.shutdownOutput();
        } finally {
            sendLock.unlock();
        }
    }

    private boolean isShut() {
        wrapLock.lock();
        try {
            return shut;
        } finally {
            wrapLock.unlock();
        }
    }

    /**
     * Reader side: wraps what the engine needs to send now into the outbox, without touching the channel.
     *
     * @return true when nobody holds the writer role: the owner must call {@link #flush} on a writer thread
     */
    boolean wrapForReader() throws IOException {
        wrapLock.lock();
        try {
            if (shut) {
                return false;                             // after the FIN nothing can go; the engine is done too
            }
            int guard = 0;
            while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && guard++ < 16) {
                if (outbox.remaining() < packetSize()) {
                    outbox = grown(outbox, outbox.capacity() + packetSize());
                }
                SSLEngineResult r = engine.wrap(NOTHING, outbox);
                TlsChannel.runTasks(engine, r.getHandshakeStatus());
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
            return outbox.position() > 0 && !sending;
        } finally {
            wrapLock.unlock();
        }
    }

    /** Writer side, after a failure: tries to send the alert the engine queued, ignoring any error. */
    void flushQuietly() {
        try {
            flush();
        } catch (IOException | RuntimeException e) {
            // the connection is failing already; the alert is a courtesy to the peer
        }
    }

    /** The writer loop, under {@link #sendLock}: wrap a batch, write it, until all is wrapped and sent. */
    private long pump(ByteBuffer[] srcs) throws IOException {
        long consumed = 0;
        boolean left = false;
        wrapLock.lock();
        try {
            sending = true;
        } finally {
            wrapLock.unlock();
        }
        try {
            while (true) {
                ByteBuffer batch;
                wrapLock.lock();
                try {
                    consumed += wrapBatch(srcs);
                    if (outbox.position() == 0) {
                        if (remaining(srcs) > 0) {
                            throw new IllegalStateException("the TLS engine wraps nothing: "
                                    + engine.getHandshakeStatus());
                        }
                        sending = false;
                        left = true;
                        return consumed;
                    }
                    batch = takeOutbox();
                } finally {
                    wrapLock.unlock();
                }
                send(batch);
                batch.clear();
                spare = batch;
            }
        } finally {
            if (!left) {
                wrapLock.lock();
                try {
                    sending = false;
                } finally {
                    wrapLock.unlock();
                }
            }
        }
    }

    /** Under {@link #wrapLock}: wraps up to {@value #BATCH_RECORDS} records of pending or new bytes. */
    private long wrapBatch(ByteBuffer[] srcs) throws IOException {
        long consumed = 0;
        for (int records = 0; records < BATCH_RECORDS; records++) {
            boolean data = remaining(srcs) > 0;
            if (!data && engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) {
                break;
            }
            if (outbox.remaining() < packetSize()) {
                if (outbox.position() > 0) {
                    break;                                // send what is there first
                }
                outbox = ByteBuffer.allocate(packetSize() * BATCH_RECORDS);
            }
            SSLEngineResult r = engine.wrap(data ? srcs : NOTHING, outbox);
            consumed += r.bytesConsumed();
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                if (outbox.position() > 0) {
                    break;
                }
                outbox = ByteBuffer.allocate(outbox.capacity() + packetSize());
                continue;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) {
                if (data) {
                    throw new NetException(NetException.EPIPE, "write EPIPE", "write", null, 0, null);
                }
                break;
            }
            TlsChannel.runTasks(engine, r.getHandshakeStatus());
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                break;
            }
        }
        return consumed;
    }

    /** Under both locks: the filled outbox, flipped for writing; an empty one takes its place. */
    private ByteBuffer takeOutbox() {
        ByteBuffer full = outbox;
        ByteBuffer next = spare;
        spare = null;
        if (next == null || next.capacity() < full.capacity()) {
            next = ByteBuffer.allocate(full.capacity());
        }
        outbox = next;
        full.flip();
        return full;
    }

    private void send(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            if (channel.write(bytes) == 0 && !channel.isBlocking()) {
                throw new IllegalStateException("TLS needs its channel in blocking mode");
            }
        }
    }

    private static long remaining(ByteBuffer[] srcs) {
        long n = 0;
        for (ByteBuffer b : srcs) {
            n += b.remaining();
        }
        return n;
    }

    private static ByteBuffer grown(ByteBuffer fillMode, int capacity) {
        ByteBuffer bigger = ByteBuffer.allocate(capacity);
        fillMode.flip();
        bigger.put(fillMode);
        return bigger;
    }
}
