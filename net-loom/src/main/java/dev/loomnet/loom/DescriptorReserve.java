package dev.loomnet.loom;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * What a server does when {@code accept} fails because the process is out of descriptors ({@code EMFILE},
 * {@code ENFILE}): libuv's answer, which Node inherits. One descriptor is held in reserve (a read-only
 * {@code /dev/null}, opened when the first server starts listening); on such a failure it is closed, which
 * frees exactly one slot, and the connections waiting in the backlog are accepted into that slot and closed
 * at once, one after the other; then the reserve is opened again. Their clients see the connection close
 * instead of waiting in the backlog until some descriptor happens to be freed, and the server emits nothing,
 * as in Node. Only when the trick cannot run (no reserve, or another thread took the freed slot) does the
 * server report the failure as an {@code ERROR}.
 */
final class DescriptorReserve {

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static @Nullable FileChannel reserve;

    private DescriptorReserve() {
    }

    /** Opens the reserve if it is not open (called when a server starts listening); best effort. */
    static void ensure() {
        LOCK.lock();
        try {
            if (reserve == null) {
                reserve = open();
            }
        } finally {
            LOCK.unlock();
        }
    }

    /** Whether {@code e}, thrown by {@code accept}, means the process or the system ran out of descriptors. */
    static boolean outOfDescriptors(IOException e) {
        String code = Errors.code(e);
        return code.equals(dev.loomnet.net.NetException.EMFILE) || code.equals(dev.loomnet.net.NetException.ENFILE);
    }

    /**
     * Frees the reserve's slot, accepts and closes every connection waiting on {@code server} without blocking,
     * and takes the slot back. The caller is the server's only accepting thread.
     *
     * @param whileFree called with the number of connections closed, if any, before the slot is taken back:
     *                  while a descriptor is surely free (logging them may have to open a file)
     * @return the number of connections closed, or -1 if the trick could not run (no reserve: the caller
     *     reports the failure)
     */
    static int closeWaiting(ServerSocketChannel server, IntConsumer whileFree) {
        LOCK.lock();
        try {
            FileChannel r = reserve;
            if (r == null) {
                reserve = open();                         // maybe a descriptor came free since: next time
                return -1;
            }
            closeQuietly(r);
            reserve = null;
            int closed = 0;
            try {
                server.configureBlocking(false);
                try {
                    for (SocketChannel waiting; (waiting = server.accept()) != null; closed++) {
                        closeQuietly(waiting);
                    }
                } finally {
                    server.configureBlocking(true);
                }
            } catch (IOException e) {
                // the slot was taken by another thread, or the server closed: stop; the accept loop decides
            }
            if (closed > 0) {
                whileFree.accept(closed);
            }
            reserve = open();
            return closed;
        } finally {
            LOCK.unlock();
        }
    }

    private static @Nullable FileChannel open() {
        try {
            return FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            return null;                                  // no /dev/null, or no descriptor: no reserve for now
        }
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing is best effort; the descriptor is released either way
        }
    }
}
