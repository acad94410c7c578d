package dev.loomnet.loom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The blocking-style input of a socket ({@link dev.loomnet.net.Socket#inputStream()}): reads the channel
 * directly on the calling thread, under the socket's reader lock, so it never races the read loop (which
 * only reads while the socket is flowing, and the stream refuses to read then). At EOF it returns -1 and has
 * the socket emit {@code end} as the read loop would; once TLS took the connection over ({@link TakeOver}) it
 * returns -1, and a read waiting at that moment hands what it gets to the TLS socket.
 */
final class SocketInputStream extends InputStream {

    private final LoomSocket socket;
    private boolean eof;

    SocketInputStream(LoomSocket socket) {
        this.socket = socket;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        Link link = socket.link;
        socket.inbound.awaitConnected(link);
        if (socket.inbound.flowing()) {                  // before the lock: the read loop holds it while blocked reading
            throw flowing();
        }
        socket.readLock.lock();
        try {
            if (eof) {
                return -1;
            }
            if (socket.inbound.flowing()) {
                throw flowing();
            }
            int early = link.takeReadAhead(b, off, len);   // read before this stream was asked for
            if (early > 0) {
                return early;                             // counted in bytesRead when they were read
            }
            if (link.readAheadEndedAlready()) {
                eof = true;                               // the read loop met the FIN and emitted END
                return -1;
            }
            if (link.channel() == null || link.life.phase().destroyed()) {
                throw new IOException("socket is closed");
            }
            int n;
            try {
                n = link.read(ByteBuffer.wrap(b, off, len));
            } catch (IOException e) {
                if (!link.life.phase().destroyed()) {
                    Closer.fail(socket, link, Errors.io(e, "read"));
                }
                throw e;
            }
            if (link.takeOver() != null) {
                // TLS took the connection over while this read waited: what it got is the handshake's. The
                // hand-over takes the read lock, held here, so it comes after and finds these bytes.
                if (n > 0) {
                    link.keepReadAhead(Arrays.copyOfRange(b, off, off + n));
                }
                eof = true;
                return -1;
            }
            if (n < 0) {
                eof = true;
                socket.events.post(() -> socket.inbound.emitEnd(link));
                return -1;
            }
            socket.inbound.readBytes(link, n);
            return n;
        } finally {
            socket.readLock.unlock();
        }
    }

    /**
     * Copies the rest of the stream to {@code out} with the read loop's buffer policy
     * ({@link ReadLoop#nextCapacity}) instead of {@code InputStream}'s fixed 16 KiB buffer: while the peer is
     * quiet the thread waits in {@code read} holding {@value ReadLoop#MIN_READ} bytes (or what its last small
     * reads needed), as an idle event-style connection does, and a busy stream grows to
     * {@value ReadLoop#MAX_READ}-byte reads. {@code out} may reuse the array after each {@code write}, as
     * streams do.
     *
     * @return the number of bytes copied
     */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        byte[] buffer = new byte[ReadLoop.MIN_READ];
        long total = 0;
        boolean first = true;
        for (int n; (n = read(buffer, 0, buffer.length)) >= 0; first = false) {
            out.write(buffer, 0, n);
            total += n;
            int next = ReadLoop.nextCapacity(buffer.length, n, first);
            if (next != buffer.length) {
                buffer = new byte[next];
            }
        }
        return total;
    }

    private static IllegalStateException flowing() {
        return new IllegalStateException("the socket is flowing (DATA/TEXT listeners or a pipe read it); "
                + "use either events or the input stream");
    }

    @Override
    public void close() {
        // The stream is a view of the socket: closing it does not close the connection (end() or destroy() do).
    }
}
