package dev.loomnet.loom;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;

/**
 * Applies Node's socket options to a channel. Unix domain sockets have no TCP options, so the calls are
 * no-ops there (Node ignores them too); a channel closed under us is not an error here.
 */
final class SocketOptionsApplier {

    private SocketOptionsApplier() {
    }

    static void noDelay(NetworkChannel ch, boolean on, boolean unix) {
        if (unix) {
            return;
        }
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, on);
        } catch (IOException | UnsupportedOperationException ignored) {
            // closed meanwhile, or not TCP
        }
    }

    static void keepAlive(NetworkChannel ch, boolean on, Duration initialDelay, boolean unix) {
        if (unix) {
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
