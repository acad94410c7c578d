package dev.loomnet.loom;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The blocking-style output of a socket ({@link dev.loomnet.net.Socket#outputStream()}): stream callers reuse
 * their arrays, so each write lends the bytes to the socket for the duration of the call
 * ({@link LoomSocket#writeBorrowed}): on the connection's own thread they go to the kernel inline, and only what
 * the kernel does not take at once is copied into the write queue. Then it blocks while the queue is at or
 * above the high-water mark. It waits on the queue itself, not on the {@code drain} event, so a caller on the
 * connection's own thread cannot deadlock with its own event queue.
 */
final class SocketOutputStream extends OutputStream {

    private final LoomSocket socket;

    SocketOutputStream(LoomSocket socket) {
        this.socket = socket;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (!socket.writable()) {
            throw new IOException("socket is " + (socket.destroyed() ? "destroyed" : "ended"));
        }
        if (len == 0) {
            return;
        }
        socket.writeBorrowed(ByteBuffer.wrap(b, off, len));
        if (!socket.link.writer.awaitLengthAtMost(Math.max(socket.options.highWaterMark() - 1L, 0L))) {
            throw new IOException("socket was destroyed while writing");
        }
    }

    @Override
    public void flush() throws IOException {
        if (!socket.link.writer.awaitFlushed()) {
            throw new IOException("socket was destroyed while flushing");
        }
    }

    @Override
    public void close() throws IOException {
        if (socket.writable()) {
            flush();
            socket.end();
        }
    }
}
