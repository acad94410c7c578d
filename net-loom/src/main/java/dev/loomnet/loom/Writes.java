package dev.loomnet.loom;

import dev.loomnet.net.Callback;
import dev.loomnet.net.Encoding;
import dev.loomnet.net.Listener;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A socket's writing as Node defines it, on top of the connection's {@link Writer}: which writes fail and how
 * (after {@code end()}, before {@code connect()}, after destroy), {@code end()} with its callbacks,
 * {@code uncork()} before a connection, {@code onceDrain}; and the writer's reports turned into the socket's
 * events ({@code DRAIN}, {@code FINISH}, write callbacks, the destroy after a failed write). Stateless: the state
 * is the link's {@link Lifecycle} and writer.
 */
final class Writes {

    private Writes() {
    }

    static byte[] encode(String data, Charset charset) {
        if (data == null) {
            throw new NetException(NetException.ERR_STREAM_NULL_VALUES, "May not write null values to stream");
        }
        Validate.notNull(charset, "encoding");
        return charset.equals(StandardCharsets.UTF_8) ? Encoding.UTF8.encode(data) : data.getBytes(charset);
    }

    /** {@code socket.write(data[, callback])}. */
    static boolean write(LoomSocket socket, byte[] data, @Nullable Callback callback) {
        if (data == null) {
            throw new NetException(NetException.ERR_STREAM_NULL_VALUES, "May not write null values to stream");
        }
        Link link = socket.link;
        Lifecycle life = link.life;
        if (life.phase().destroyed()) {
            rejected(socket, callback);
            return false;
        }
        if (life.writeEnded()) {
            return afterEnd(socket, link, callback);
        }
        if (life.phase() == Lifecycle.Phase.NEW && failedBeforeConnect(socket, link, callback)) {
            return false;
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        if (Thread.currentThread() == link.thread && socket.readLock.tryLock()) {
            // On the connection's own thread, inside a listener: the channel is not being read, so it can be
            // switched to non-blocking for one write attempt (see Writer.write).
            try {
                return link.writer.write(buffer, callback, true, false);
            } finally {
                socket.readLock.unlock();
            }
        }
        return link.writer.write(buffer, callback, false, false);
    }

    /**
     * Writes bytes the caller keeps only for the duration of the call (a pipe's reused read buffer, the output
     * stream's array): what the kernel does not take inline is copied into the queue.
     */
    static boolean writeBorrowed(LoomSocket socket, ByteBuffer data) {
        Link link = socket.link;
        Lifecycle life = link.life;
        if (life.phase().destroyed() || life.writeEnded() || life.phase() == Lifecycle.Phase.NEW) {
            return write(socket, Bytes.takeRemaining(data), null);   // the usual rejection or error
        }
        boolean inline = Thread.currentThread() == link.thread && socket.readLock.tryLock();
        try {
            return link.writer.write(data, null, inline, true);
        } finally {
            if (inline) {
                socket.readLock.unlock();
            }
        }
    }

    /**
     * Node: a write before {@code connect()} has no handle to go to. Unless the socket is corked (corked chunks
     * wait in the queue for {@code connect()}, or fail at {@code uncork()}), the callback gets
     * {@code ERR_SOCKET_CLOSED} and the socket is destroyed before {@code write} returns, as in Node; the
     * callback still runs before {@code ERROR} and {@code CLOSE}. Checked under the lock, under which
     * {@code connect()} changes the phase. Returns whether the write failed so.
     */
    private static boolean failedBeforeConnect(LoomSocket socket, Link link, @Nullable Callback callback) {
        socket.lock.lock();
        try {
            if (link.life.phase() != Lifecycle.Phase.NEW || link.writer.corks() > 0) {
                return false;
            }
            fail(socket, link, callback, Errors.socketClosed());
            return true;
        } finally {
            socket.lock.unlock();
        }
    }

    /**
     * A write that cannot be made: its callback gets {@code error} later (posted first, so before {@code ERROR}
     * and {@code CLOSE}), the socket is destroyed with it now. Returns {@code false}, {@code write}'s answer.
     */
    private static boolean fail(LoomSocket socket, Link link, @Nullable Callback callback, NetException error) {
        if (callback != null) {
            socket.events.post(() -> callback.done(error));
        }
        Closer.destroy(socket, link, error, false);
        return false;
    }

    /** {@code socket.end([callback])}. */
    static void end(LoomSocket socket, @Nullable Callback callback) {
        Link link = socket.link;
        Lifecycle.Phase p;
        boolean queued;
        socket.lock.lock();
        try {
            p = link.life.endWrite();
            queued = link.writer.length() > 0;
        } finally {
            socket.lock.unlock();
        }
        if (p == null) {                                  // already ended or destroyed
            if (callback != null) {
                endAgain(socket, link, callback);
            }
            return;
        }
        if (p == Lifecycle.Phase.NEW && queued) {
            // corked writes before connect(): end() uncorks them, and with no handle they fail (Node)
            link.writer.end(callback);                    // queued behind the writes: failed with them, in order
            Closer.destroy(socket, link, Errors.socketClosed(), false);
            return;
        }
        if (p == Lifecycle.Phase.NEW) {
            // Never connected: nothing to shut down, so FINISH and the callback come at once (Node's _final waits
            // only while connecting). A later connect() still sends the FIN.
            socket.events.post(() -> {
                boolean emit;
                socket.lock.lock();
                try {
                    emit = link.life.finishUnconnected();
                } finally {
                    socket.lock.unlock();
                }
                if (emit) {
                    socket.emitLifecycle(Socket.FINISH, Listener::handle);
                }
                if (callback != null) {
                    callback.done(null);
                }
            });
            return;
        }
        link.writer.end(callback);
    }

    /**
     * The callback of an {@code end} after the first: it runs with {@code null} at once if the socket finished,
     * on the coming {@code FINISH} if the end is under way (Node queues it for {@code 'finish'}), or with
     * {@code ERR_STREAM_DESTROYED} if the socket was destroyed first. Decided under the lock, under which the
     * {@code FINISH} task takes the end callbacks and a destroy closes the socket, so that the callback cannot
     * fall between them.
     */
    private static void endAgain(LoomSocket socket, Link link, Callback callback) {
        socket.lock.lock();
        try {
            if (link.life.finished()) {
                socket.events.post(() -> callback.done(Errors.alreadyFinished()));   // end() after 'finish'
            } else if (link.life.phase().destroyed() || !link.writer.addEndCallback(callback)) {
                socket.events.post(() -> callback.done(Errors.endAfterDestroy()));
            }
        } finally {
            socket.lock.unlock();
        }
    }

    /** {@code socket.uncork()}; before a connection, the corked writes meet no handle and fail (Node). */
    static void uncork(LoomSocket socket) {
        Link link = socket.link;
        link.writer.uncork();                             // starts no writer before connect()
        if (link.life.phase() != Lifecycle.Phase.NEW) {
            return;
        }
        boolean fail;
        socket.lock.lock();                               // connect() changes the phase under it
        try {
            fail = link.life.phase() == Lifecycle.Phase.NEW && link.writer.corks() == 0 && link.writer.length() > 0;
        } finally {
            socket.lock.unlock();
        }
        if (fail) {
            Closer.destroy(socket, link, Errors.socketClosed(), false);
        }
    }

    /** {@code onceDrain}: once the next {@code DRAIN}, or at once (on the event sequence) if none is owed. */
    static void onceDrain(LoomSocket socket, Listener listener) {
        AtomicBoolean ran = new AtomicBoolean();
        Listener[] self = new Listener[1];
        self[0] = () -> {
            if (ran.compareAndSet(false, true)) {
                socket.off(Socket.DRAIN, self[0]);
                listener.handle();
            }
        };
        socket.on(Socket.DRAIN, self[0]);
        if (!socket.link.writer.drainOwed()) {
            socket.events.post(self[0]::handle);         // drained before we registered: do not wait forever
        }
    }

    // -------------------------------------------------------------------------------------------------------
    // the writer's reports (WriteSink, through the link)

    /** Bytes reached the kernel: activity; their callbacks run on the event sequence. */
    static void flushed(LoomSocket socket, List<Callback> callbacks) {
        socket.touched();
        if (!callbacks.isEmpty()) {
            socket.events.post(() -> runCallbacks(callbacks, null));
        }
    }

    /** Node's {@code drain}, unless the connection was destroyed meanwhile. */
    static void drained(LoomSocket socket, Link link) {
        socket.events.post(() -> {
            if (!link.life.phase().destroyed()) {
                socket.emit(Socket.DRAIN, Listener::handle);
            }
        });
    }

    /**
     * The FIN left: {@code FINISH} (once per connection), the end callbacks, then Node's close rule. The end
     * callbacks are taken now, not when the FIN left: an {@code end(callback)} made in between (in an
     * {@code END} listener, say) belongs to this {@code FINISH}, and a destroy in between must still find them
     * in the writer. Under the lock, under which a destroy fails the writer and a later {@code end(callback)}
     * checks whether the connection finished.
     */
    static void finished(LoomSocket socket, Link link) {
        socket.touched();
        socket.events.post(() -> {
            List<Callback> callbacks;
            Boolean emit;
            socket.lock.lock();
            try {
                emit = link.life.finish();
                if (emit == null) {
                    return;                               // a destroy took the end callbacks, with its error
                }
                callbacks = link.writer.takeEndCallbacks();
            } finally {
                socket.lock.unlock();
            }
            try {
                try {
                    if (emit) {
                        socket.emitLifecycle(Socket.FINISH, Listener::handle);
                    }
                } finally {
                    runCallbacks(callbacks, null);
                }
            } finally {
                Closer.closeIfDone(socket, link);
            }
        });
    }

    /** A write or the FIN failed: the socket is destroyed with it. */
    static void failed(LoomSocket socket, Link link, IOException error) {
        if (!link.life.phase().destroyed()) {
            Closer.destroy(socket, link, Errors.io(error, "write"), false);
        }
    }

    /**
     * A write after {@code end()}. As Node: the callback gets the error later, but the socket is destroyed with it
     * now, so that it wins over a close already under way (both sides ended: the auto-close after END). Once the
     * peer ended a socket that does not allow half-open, the error is Node's writeAfterFIN EPIPE.
     */
    static boolean afterEnd(LoomSocket socket, Link link, @Nullable Callback callback) {
        return fail(socket, link, callback, link.life.readEnded() && !socket.options.allowHalfOpen()
                ? Errors.endedByPeer() : Errors.writeAfterEnd());
    }

    /** A write after destroy: its callback gets {@code ERR_STREAM_DESTROYED}, on the event sequence. */
    static void rejected(LoomSocket socket, @Nullable Callback callback) {
        if (callback != null) {
            socket.events.post(() -> callback.done(Errors.streamDestroyed()));
        }
    }

    /**
     * Runs every callback even if some throw; the first throwable is rethrown afterwards (destroying the socket),
     * later ones are attached to it as suppressed.
     */
    static void runCallbacks(List<Callback> callbacks, @Nullable Throwable error) throws Exception {
        Throwable first = null;
        for (Callback cb : callbacks) {
            try {
                cb.done(error);
            } catch (Throwable t) {
                if (first == null) {
                    first = t;
                } else {
                    first.addSuppressed(t);
                }
            }
        }
        if (first instanceof Exception e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
    }
}
