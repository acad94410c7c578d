package dev.loomnet.net;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Options of a socket ({@code new net.Socket(options)}), immutable; build with {@link #builder()}.
 *
 * @param allowHalfOpen         keep the writable side open after the peer's end ({@code allowHalfOpen},
 *                              default {@code false}: the socket ends its side once queued writes flush)
 * @param noDelay               set {@code TCP_NODELAY} when connected (default {@code false}, as Node)
 * @param keepAlive             enable {@code SO_KEEPALIVE} when connected (default {@code false})
 * @param keepAliveInitialDelay idle time before the first keep-alive probe, whole seconds are used
 *                              ({@code Duration.ZERO}: the system default; a negative delay is stored as
 *                              {@code Duration.ZERO}, as Node sets it to 0)
 * @param highWaterMark         queued bytes at which {@link Socket#write(byte[])} starts returning
 *                              {@code false} (default {@value #DEFAULT_HIGH_WATER_MARK}, Node 22's)
 * @param blockList             destinations this socket refuses to connect to, or {@code null}: connecting to
 *                              a blocked address fails with {@code ERR_IP_BLOCKED} (Node 22.13's option)
 * @param onread                reads go into a buffer you provide and to a callback instead of {@code DATA}
 *                              events, or {@code null} (Node's {@code onread}; see {@link OnRead})
 * @param signal                aborting it destroys the socket with {@code ABORT_ERR}, or {@code null} (Node's
 *                              {@code signal})
 */
public record SocketOptions(boolean allowHalfOpen, boolean noDelay, boolean keepAlive,
                            Duration keepAliveInitialDelay, int highWaterMark, @Nullable BlockList blockList,
                            @Nullable OnRead onread, @Nullable AbortSignal signal) {

    /** Node 22's default high-water mark of byte streams: 64 KiB. */
    public static final int DEFAULT_HIGH_WATER_MARK = 64 * 1024;

    /** The defaults: every flag off, high-water mark {@value #DEFAULT_HIGH_WATER_MARK}. */
    public static final SocketOptions DEFAULTS = builder().build();

    /**
     * Validates the components.
     *
     * @param allowHalfOpen         see the record description
     * @param noDelay               see the record description
     * @param keepAlive             see the record description
     * @param keepAliveInitialDelay not {@code null}; a negative delay is taken as {@code Duration.ZERO}, as in Node
     * @param highWaterMark         must not be negative
     * @param blockList             a block list or {@code null}
     * @param onread                the read callback or {@code null}
     * @param signal                the abort signal or {@code null}
     */
    public SocketOptions {
        keepAliveInitialDelay = Args.keepAliveInitialDelay(keepAliveInitialDelay);
        Args.highWaterMark(highWaterMark);
    }

    /**
     * Returns a builder with the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link SocketOptions}; every setter returns the builder. */
    public static final class Builder extends SocketSetters<Builder> {
        private @Nullable OnRead onread;
        private @Nullable AbortSignal signal;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Sets {@code onread}: reads go into your buffer and to its callback, without {@code DATA} events.
         *
         * @param value the buffer and callback
         * @return this builder
         */
        public Builder onread(OnRead value) {
            this.onread = Args.notNull(value, "onread");
            return this;
        }

        /**
         * Sets {@code signal}: aborting it destroys the socket with {@code ABORT_ERR}, at once if it is aborted
         * already.
         *
         * @param value the signal
         * @return this builder
         */
        public Builder signal(AbortSignal value) {
            this.signal = Args.notNull(value, "options.signal");
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         */
        public SocketOptions build() {
            return new SocketOptions(allowHalfOpen, noDelay, keepAlive, keepAliveInitialDelay, highWaterMark,
                    blockList, onread, signal);
        }
    }
}
