package dev.loomnet.loom;

import java.io.IOException;
import java.nio.channels.Channel;

/**
 * A deadline for a blocking channel operation (a connect attempt, a TLS handshake): when it expires it closes
 * the channel, the only way to wake a thread blocked in the channel's connect, read or write. The blocked
 * thread then sees its own failure and asks {@link #fired()} whether the deadline was the cause.
 */
final class ChannelDeadline extends Timers.Timeout {

    private final Channel channel;
    private volatile boolean fired;

    ChannelDeadline(Channel channel) {
        this.channel = channel;
    }

    /** Whether the deadline expired (and closed the channel). */
    boolean fired() {
        return fired;
    }

    @Override
    void expired() {
        fired = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing is all a deadline can do; the blocked thread reports the failure
        }
    }
}
