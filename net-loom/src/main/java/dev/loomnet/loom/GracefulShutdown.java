package dev.loomnet.loom;

import dev.loomnet.net.Callback;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * {@link Server#shutdown(Duration, Callback)}: stops accepting ({@code close()}), ends every open connection
 * (our FIN after what is queued; the peer's FIN then closes it, as usual), and destroys those still open when
 * the grace period has passed; the callback runs with the server's {@code CLOSE}, once the last connection
 * closed. A grace of zero destroys them at once.
 */
final class GracefulShutdown extends Timers.Timeout {

    private final LoomServer server;

    private GracefulShutdown(LoomServer server) {
        this.server = server;
    }

    static void start(LoomServer server, Duration grace, Callback callback) {
        // After close() the accept loop has ended: no connection is admitted behind the list taken below.
        server.once(Server.CLOSE, () -> callback.done(null));
        server.close();
        List<Socket> open = server.openConnections();
        if (open.isEmpty()) {
            return;
        }
        if (grace.isZero()) {
            open.forEach(Socket::destroy);
            return;
        }
        open.forEach(Socket::end);
        GracefulShutdown timer = new GracefulShutdown(server);
        Timers.arm(timer, Timers.toNanos(grace));
        server.once(Server.CLOSE, () -> Timers.cancel(timer));
    }

    /** The grace period passed: what is still open is destroyed. */
    @Override
    void expired() {
        server.openConnections().forEach(Socket::destroy);
    }
}
