package dev.loomnet.loom;

import dev.loomnet.net.Callback;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Socket;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Destroying a socket's connection and emitting its close, in Node's order: the destroy decides (under the lock,
 * through the {@link Lifecycle}), closes the channel and fails the writer at once; the close task then runs the
 * failed callbacks, emits {@code ERROR} if there was one, tells the server, and emits {@code CLOSE}; a
 * {@code connect} made in between runs after it ({@link ConnectAfterClose}). Also the ways in that are not a
 * plain {@code destroy}: {@code destroySoon}, {@code resetAndDestroy}, a throwing listener, and Node's
 * auto-close once both halves ended. Stateless.
 */
final class Closer {

    private Closer() {
    }

    /**
     * Destroys {@code link}, by the application or ({@code byUser} false) by loomnet itself; a no-op when it was
     * destroyed already, but an application's destroy decides a close loomnet began and did not run yet (see
     * {@link Lifecycle.Phase#FAILED}), and cancels a {@code connect} that waited for that close.
     *
     * @return whether {@code error} is the close's: this call destroyed the link or decided its close
     */
    static boolean destroy(LoomSocket socket, Link link, @Nullable Throwable error, boolean byUser) {
        return destroy(socket, link, error, byUser, byUser);
    }

    private static boolean destroy(LoomSocket socket, Link link, @Nullable Throwable error, boolean byUser,
                                   boolean cancelsWaitingConnect) {
        Lifecycle.Close close;
        socket.lock.lock();
        try {
            if (cancelsWaitingConnect) {
                ConnectAfterClose waiting = link.takeAfterClose();
                if (waiting != null) {
                    waiting.cancel();                     // destroyed again before the connect could run
                }
            }
            Lifecycle.Phase was = link.life.phase();
            close = link.life.destroy(error, byUser);
            if (close == null) {
                return byUser && was == Lifecycle.Phase.FAILED;
            }
            socket.inbound.signal();
        } finally {
            socket.lock.unlock();
        }
        IdleTimer timer = socket.idleTimer();
        if (timer != null) {
            timer.cancel();                               // for good: the socket is destroyed
        }
        TakeOver upgraded = link.takeOver();
        if (upgraded != null) {
            destroy(upgraded.tls, upgraded.tls.link, null, byUser);      // quietly: the plain side reports its error
        }
        List<Callback> orphans = link.writer.fail();
        link.close();
        boolean counted = !close.wasNew() || socket.server != null;
        socket.events.post(() -> emitClose(socket, link, orphans, close.beforeConnect(), counted));
        return true;
    }

    /**
     * The close task: the callbacks that will never succeed, {@code ERROR}, the server's count, {@code CLOSE};
     * then the JVM may exit, and a {@code connect} that waited for this close runs.
     */
    private static void emitClose(LoomSocket socket, Link link, List<Callback> orphans, boolean beforeConnect,
                                  boolean counted) {
        Throwable error;
        socket.lock.lock();
        try {
            error = link.life.closing();                  // from now on a destroy() no longer changes it
        } finally {
            socket.lock.unlock();
        }
        Throwable callbackError = error != null ? error
                : beforeConnect ? Errors.closedBeforeConnection() : Errors.streamDestroyed();
        try {
            Jfr.connectionClosed(socket, link, error);
            Log.connectionClosed(socket, link, error);
            for (Callback cb : orphans) {
                try {
                    cb.done(callbackError);
                } catch (Throwable t) {
                    Threads.uncaught(t);
                }
            }
            if (error != null) {
                try {
                    socket.emitError(error);
                } catch (Throwable t) {
                    Threads.uncaught(t);
                }
            }
            LoomServer server = socket.server;
            if (server != null) {
                server.connectionClosed(socket);
            }
            closed(socket, link);
            try {
                socket.emitLifecycle(Socket.CLOSE, l -> l.onClose(error != null));
            } catch (Throwable t) {
                Threads.uncaught(t);
            }
        } finally {
            closed(socket, link);
            if (counted) {
                Stats.SOCKETS.decrementAndGet();
            }
            socket.connectingLifetime.deactivate();
            socket.lifetime.deactivate();                 // the JVM may exit once the close listeners ran
            ConnectAfterClose next;
            socket.lock.lock();
            try {
                next = link.takeAfterClose();
            } finally {
                socket.lock.unlock();
            }
            if (next != null) {
                next.run();
            }
            TakeOver upgraded = socket.upgradedFrom();
            if (upgraded != null) {
                upgraded.tlsClosed();                     // the plain side follows the TLS side
            }
        }
    }

    private static void closed(LoomSocket socket, Link link) {
        socket.lock.lock();
        try {
            link.life.closed();
        } finally {
            socket.lock.unlock();
        }
    }

    /** The connection {@code link} failed (a read, a connect): destroys it, unless it is no longer the socket's. */
    static void fail(LoomSocket socket, Link link, Throwable error) {
        if (socket.serves(link)) {
            destroy(socket, link, error, false);
        }
    }

    /** Node's auto-close, after {@code END} or {@code FINISH}: both halves ended (or finished after destroySoon). */
    static void closeIfDone(LoomSocket socket, Link link) {
        if (link.life.closeNow()) {
            destroy(socket, link, null, false);
        }
    }

    /**
     * A listener threw: the socket is destroyed with it, or, already closed, the handler gets it. The throw is the
     * application's own destroy, made where it threw, so a destroy from another thread after it cannot drop it
     * (as that destroy may replace a failure loomnet found itself, see {@link Lifecycle.Phase#FAILED}).
     */
    static void listenerFailed(LoomSocket socket, Link link, Throwable t) {
        // One atomic step: a destroy from another thread between a check and the destroy would drop the throw.
        // Unlike destroy(), it leaves a connect waiting for the close alone: the throw is no second destroy.
        if (!destroy(socket, link, t, true, false) && !(t instanceof IOException)) {
            // An IOException from a listener of a socket that is already closed is the closing itself seen
            // through the socket's streams (a blocking-style handler reading a reset connection); its cause was
            // reported once, as ERROR. Anything else is a bug in the listener and goes to the handler.
            Threads.uncaught(t);
        }
    }

    /** Node's {@code destroySoon}: end, then destroy once finished. */
    static void destroySoon(LoomSocket socket, Link link) {
        if (socket.writable()) {
            link.life.destroyWhenFinished();
            socket.end();
        } else if (link.life.finished()) {
            socket.destroy();
        } else {
            link.life.destroyWhenFinished();
        }
    }

    /** Node's {@code resetAndDestroy}: the connection is reset (RST, {@code SO_LINGER} 0), at once or once connected. */
    static void resetAndDestroy(LoomSocket socket, Link link) {
        if (link.unix()) {
            throw new NetException(NetException.ERR_INVALID_HANDLE_TYPE, "This handle type cannot be sent");
        }
        switch (link.life.phase()) {
            case NEW -> destroy(socket, link, Errors.socketClosed(), true);
            case CONNECTING -> link.life.resetWhenConnected();
            case ESTABLISHED, OPEN -> {
                SocketChannel ch = link.channel();
                if (ch != null) {
                    try {
                        ch.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                    } catch (IOException | RuntimeException ignored) {
                        // the channel is already gone; the destroy still closes it
                    }
                }
                link.life.reset();
                destroy(socket, link, null, true);
            }
            default -> { }
        }
    }
}
