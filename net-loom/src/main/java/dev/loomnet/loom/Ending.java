package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How a connection ended, as the {@code dev.loomnet.Connection} event and the connection log tell it; decided
 * once, by the close task, from what the {@link Lifecycle} and the idle timer kept.
 */
enum Ending {
    /** Both halves ended: the peer's end was read and our FIN left (Node's auto-close). */
    END,
    /** Destroyed without an error, by the application or by loomnet. */
    DESTROY,
    /** Destroyed without an error after {@code TIMEOUT}, with no activity since. */
    TIMEOUT,
    /** {@code resetAndDestroy()}: closed with a TCP reset. */
    RESET,
    /** Closed with an error ({@code ERROR} is emitted); its code says which. */
    ERROR;

    private final String text = name().toLowerCase(Locale.ROOT);

    /** The close of {@code link}, whose error is {@code error}. */
    static Ending of(LoomSocket socket, Link link, @Nullable Throwable error) {
        if (error != null) {
            return ERROR;
        }
        if (link.life.wasReset()) {
            return RESET;
        }
        if (link.life.readEnded() && link.life.finished()) {
            return END;
        }
        IdleTimer timer = socket.idleTimer();
        return timer != null && timer.idleSinceTimeout() ? TIMEOUT : DESTROY;
    }

    /** Node's code of a close's error: a {@link NetException}'s code, else the error's class name. */
    static @Nullable String code(@Nullable Throwable error) {
        if (error == null) {
            return null;
        }
        return error instanceof NetException ne ? ne.code() : error.getClass().getName();
    }

    @Override
    public String toString() {
        return text;
    }
}
