package dev.loomnet.loom;

import dev.loomnet.net.SocketOptions;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;

/**
 * A socket's TCP options ({@code setNoDelay}, {@code setKeepAlive}), kept across connections and applied to each
 * one once connected, as Node defers them until there is a handle. Unix domain sockets have no TCP options, so
 * the calls are no-ops there (Node ignores them too); a channel closed under us is not an error here.
 */
final class TcpOptions {

    private volatile boolean noDelay;
    private volatile boolean keepAlive;
    private volatile Duration keepAliveDelay;

    TcpOptions(SocketOptions options) {
        this.noDelay = options.noDelay();
        this.keepAlive = options.keepAlive();
        this.keepAliveDelay = options.keepAliveInitialDelay();
    }

    /** Applies the options set so far to {@code link}'s newly connected channel. */
    void apply(Link link) {
        if (noDelay) {
            noDelay(link, true);
        }
        if (keepAlive) {
            keepAlive(link, true, keepAliveDelay);
        }
    }

    /** Node deduplicates: a value equal to the current one is not set again. */
    void setNoDelay(boolean on, Link link) {
        if (noDelay == on) {
            return;
        }
        noDelay = on;
        if (connected(link)) {
            noDelay(link, on);
        }
    }

    void setKeepAlive(boolean enable, Duration initialDelay, Link link) {
        Duration delay = initialDelay.isNegative() ? Duration.ZERO : initialDelay;
        boolean changed = enable != keepAlive || (enable && !delay.isZero()
                && delay.toSeconds() != keepAliveDelay.toSeconds());
        keepAlive = enable;
        if (!delay.isZero()) {
            keepAliveDelay = delay;
        }
        if (changed && connected(link)) {
            keepAlive(link, enable, keepAliveDelay);
        }
    }

    private static boolean connected(Link link) {
        Lifecycle.Phase p = link.life.phase();
        return link.channel() != null && (p == Lifecycle.Phase.ESTABLISHED || p == Lifecycle.Phase.OPEN);
    }

    private static void noDelay(Link link, boolean on) {
        SocketChannel ch = link.channel();
        if (ch == null || link.unix()) {
            return;
        }
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, on);
        } catch (IOException | UnsupportedOperationException ignored) {
            // closed meanwhile, or not TCP
        }
    }

    private static void keepAlive(Link link, boolean on, Duration initialDelay) {
        SocketChannel ch = link.channel();
        if (ch == null || link.unix()) {
            return;
        }
        try {
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, on);
            long seconds = initialDelay.toSeconds();
            if (on && seconds > 0 && ch.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)) {
                ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, (int) Math.min(seconds, 32767));
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // closed meanwhile, or not TCP
        }
    }
}
