package dev.loomnet.net;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Options of a server ({@code net.createServer(options)}), immutable; build with {@link #builder()}. The
 * socket-level options are copied to every accepted socket.
 *
 * @param allowHalfOpen         accepted sockets keep their writable side open after the peer's end
 *                              (default {@code false})
 * @param pauseOnConnect        accepted sockets start paused: nothing is read until
 *                              {@link Socket#resume()} (default {@code false})
 * @param noDelay               set {@code TCP_NODELAY} on accepted sockets before {@link Server#CONNECTION}
 * @param keepAlive             enable {@code SO_KEEPALIVE} on accepted sockets before {@link Server#CONNECTION}
 * @param keepAliveInitialDelay idle time before the first keep-alive probe (whole seconds are used;
 *                              {@code Duration.ZERO}, or a negative delay, which is stored as zero as Node
 *                              does: the system default)
 * @param highWaterMark         the write high-water mark of accepted sockets
 *                              (default {@value SocketOptions#DEFAULT_HIGH_WATER_MARK})
 * @param blockList             clients to refuse, or {@code null}: a connection from a blocked address is
 *                              closed at once, before {@link Server#CONNECTION} (Node 22.13's option)
 */
public record ServerOptions(boolean allowHalfOpen, boolean pauseOnConnect, boolean noDelay, boolean keepAlive,
                            Duration keepAliveInitialDelay, int highWaterMark, @Nullable BlockList blockList) {

    /** The defaults. */
    public static final ServerOptions DEFAULTS = builder().build();

    /**
     * Validates the components.
     *
     * @param allowHalfOpen         see the record description
     * @param pauseOnConnect        see the record description
     * @param noDelay               see the record description
     * @param keepAlive             see the record description
     * @param keepAliveInitialDelay not {@code null}; a negative delay is taken as {@code Duration.ZERO}, as in Node
     * @param highWaterMark         must not be negative
     * @param blockList             a block list or {@code null}
     */
    public ServerOptions {
        keepAliveInitialDelay = Args.keepAliveInitialDelay(keepAliveInitialDelay);
        Args.highWaterMark(highWaterMark);
    }

    /**
     * Returns the options each accepted socket gets.
     *
     * @return the socket options derived from these
     */
    public SocketOptions socketOptions() {
        return new SocketOptions(allowHalfOpen, noDelay, keepAlive, keepAliveInitialDelay, highWaterMark, null, null, null);
    }

    /**
     * Returns a builder with the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ServerOptions}; every setter returns the builder. */
    public static final class Builder extends SocketSetters<Builder> {
        private boolean pauseOnConnect;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Sets {@code pauseOnConnect}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder pauseOnConnect(boolean value) {
            this.pauseOnConnect = value;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         */
        public ServerOptions build() {
            return new ServerOptions(allowHalfOpen, pauseOnConnect, noDelay, keepAlive, keepAliveInitialDelay,
                    highWaterMark, blockList);
        }
    }
}
