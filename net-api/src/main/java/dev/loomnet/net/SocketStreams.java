package dev.loomnet.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A {@link Socket}'s blocking {@code java.io} view, for straight-line code: read and write the connection
 * as streams instead of listening to events.
 */
public interface SocketStreams {

    /**
     * Returns this socket's input as a blocking stream, for straight-line code. Reading from it reads the connection
     * directly on the calling thread (typically the connection's own thread, inside the {@link Server#CONNECTION}
     * listener), one reader at a time. While the stream is used the socket must not be flowing: do not add {@link
     * Socket#DATA}/{@link Socket#TEXT} listeners or pipe. {@code read} returns -1 at the peer's end, and {@link
     * Socket#END} is still emitted (then {@link Socket#CLOSE}); {@link Socket#bytesRead()} counts the bytes read
     * through the stream. Reads fail with an {@link IOException} once the socket is destroyed.
     *
     * @return the input stream (the same object on every call)
     */
    InputStream inputStream();

    /**
     * Returns this socket's output as a blocking stream: {@code write} hands the bytes to the kernel at once when it
     * can (on the connection's own thread with an empty queue) and copies whatever must wait into the write queue, so
     * the caller may reuse its array as soon as {@code write} returns; it then blocks the caller while the queue is at
     * or above the high-water mark; {@code flush} blocks until the queue is empty, and fails with an {@link
     * IOException} only if the socket is destroyed with bytes still unsent (a socket that closes right after its last
     * byte left, as one without {@code allowHalfOpen} does once both sides ended, flushed everything); {@code close}
     * ends the socket ({@link Socket#end()}). Writes fail with an {@link IOException} once the socket was ended or
     * destroyed.
     *
     * @return the output stream (the same object on every call)
     */
    OutputStream outputStream();
}
