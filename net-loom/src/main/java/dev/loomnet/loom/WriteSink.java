package dev.loomnet.loom;

import dev.loomnet.net.Callback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What the writer needs from its connection: the transport (the channel, or TLS over it) and the events. */
interface WriteSink {
    /** Writes what the kernel takes now without blocking; returns the bytes written (maybe 0). */
    int writeNow(ByteBuffer data) throws IOException;

    /** A blocking gathering write of {@code length} buffers from {@code offset}; returns the bytes taken. */
    long write(ByteBuffer[] buffers, int offset, int length) throws IOException;

    /** Our end of the stream: the FIN (after {@code close_notify} on TLS). */
    void shutdownOutput() throws IOException;

    /**
     * Whether {@link #shutdownOutput} writes data first and so may block on a full send buffer (TLS's
     * {@code close_notify}): then it is sent from the writer thread, never from the thread calling {@code end}.
     */
    default boolean finMayBlock() {
        return false;
    }

    /** Sends what the transport holds for the peer without new data (TLS: the reader's answers). */
    void flush() throws IOException;

    /**
     * {@code bytes} reached the kernel; {@code callbacks} (in order, may be empty) are to run now. Called under
     * the lock, so that the socket posts them before a destroy's {@link Writer#fail} returns.
     */
    void flushed(long bytes, List<Callback> callbacks);

    /** Part of the batch in flight reached the kernel and the rest is still being written. */
    void progressed();

    /** The queue emptied after a write returned {@code false}: Node's {@code drain}. */
    void drained();

    /**
     * The FIN was sent. The end callbacks stay until the socket takes them ({@link Writer#takeEndCallbacks()}) when
     * it reports the finish, so that a destroy in between still finds them in {@link Writer#fail()}, and an
     * {@code end(callback)} in between still gets this finish.
     */
    void finished();

    /** A write or end arrived after the writer failed (the socket was destroyed meanwhile). */
    void rejected(@Nullable Callback callback);

    /** A write arrived after the writer took the {@code end()}: Node's write after end. */
    void writeAfterEnd(@Nullable Callback callback);

    /** Writing failed; the socket destroys itself, which calls {@link Writer#fail()}. */
    void failed(IOException error);

    /** The writer thread's name. */
    String writerName();
}
