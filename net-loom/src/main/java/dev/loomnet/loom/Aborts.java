package dev.loomnet.loom;

import dev.loomnet.net.AbortSignal;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import org.jspecify.annotations.Nullable;

/**
 * Node's {@code signal} options: aborting a socket's signal destroys it with {@code ABORT_ERR} (the signal's
 * reason as the cause), aborting a server's closes it. The signal lets go of its socket or server at
 * {@code close}, as Node's {@code addAbortSignal} does, so one long-lived signal can serve many of them.
 */
final class Aborts {

    private Aborts() {
    }

    /**
     * Watches a new socket's signal. One aborted already destroys the socket now, where Node waits a tick: its
     * {@code error} and {@code close} are kept for the listeners the creator adds next.
     */
    static void watch(LoomSocket socket, @Nullable AbortSignal signal) {
        if (signal == null) {
            return;
        }
        if (signal.aborted()) {
            socket.keepEventsIfLate(true);                // every listener is late: the creator has the socket next
            abort(socket, signal);
            return;
        }
        AbortSignal.Registration registration = signal.onAbort(() -> abort(socket, signal));
        socket.once(Socket.CLOSE, hadError -> registration.close());
    }

    /** Whether {@code connect} must not start: the socket's signal is aborted (and the socket destroyed). */
    static boolean refusesConnect(LoomSocket socket, @Nullable AbortSignal signal) {
        if (signal == null || !signal.aborted()) {
            return false;
        }
        abort(socket, signal);
        return true;
    }

    /** Whether {@code signal} is given and aborted: {@code listen} closes the server instead of listening. */
    static boolean aborted(@Nullable AbortSignal signal) {
        return signal != null && signal.aborted();
    }

    /** Watches a server's signal from {@code listen} on. */
    static void watch(LoomServer server, @Nullable AbortSignal signal) {
        if (signal == null) {
            return;
        }
        AbortSignal.Registration registration = signal.onAbort(server::close);
        server.once(Server.CLOSE, () -> registration.close());
    }

    private static void abort(LoomSocket socket, AbortSignal signal) {
        if (!socket.destroyed()) {
            socket.destroy(AbortSignal.abortError(signal.reason()));
        }
    }
}
