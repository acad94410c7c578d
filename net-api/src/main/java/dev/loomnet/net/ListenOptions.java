package dev.loomnet.net;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link Server#listen(ListenOptions, Listener)}, immutable; build with {@link #builder()}.
 * Exactly as in Node, either a {@code port} (TCP) or a {@code path} (Unix domain socket) is required, and a
 * port wins over a path.
 *
 * @param port       the TCP port, 0 for an ephemeral one, {@link #NO_PORT} when listening on a path
 * @param host       the host to bind, or {@code null} for the unspecified address ({@code ::} dual stack,
 *                   falling back to {@code 0.0.0.0}); an empty host counts as none, as in Node
 * @param path       the Unix domain socket path, or {@code null}
 * @param backlog    the accept queue length (default {@value #DEFAULT_BACKLOG})
 * @param ipv6Only   with an IPv6 host, serve IPv6 clients only (default {@code false}). The JDK cannot set
 *                   {@code IPV6_V6ONLY}, so loomnet accepts an IPv4 client and closes it at once, before
 *                   {@link Server#CONNECTION}: the client sees a reset, where Node's sees {@code ECONNREFUSED}
 * @param exclusive  accepted for Node compatibility; the JVM has no cluster, so it changes nothing
 * @param reusePort  set {@code SO_REUSEPORT} so several servers (even in several processes) share the port
 * @param readableAll make the Unix socket file readable by all users
 * @param writableAll make the Unix socket file writable by all users
 * @param signal     aborting it closes the server, or {@code null} (Node's {@code signal})
 */
public record ListenOptions(int port, @Nullable String host, @Nullable Path path, int backlog, boolean ipv6Only,
                            boolean exclusive, boolean reusePort, boolean readableAll, boolean writableAll,
                            @Nullable AbortSignal signal) {

    /** The port value meaning "no port: listen on {@code path}". */
    public static final int NO_PORT = -1;

    /** Node's default backlog. */
    public static final int DEFAULT_BACKLOG = 511;

    /**
     * Validates the components with Node's codes.
     *
     * @param port        0..65535, or {@link #NO_PORT} with a path
     * @param host        any host or {@code null}; empty becomes {@code null}
     * @param path        a path or {@code null}
     * @param backlog     the backlog; values below 1 mean the default
     * @param ipv6Only    see the record description
     * @param exclusive   see the record description
     * @param reusePort   see the record description
     * @param readableAll see the record description
     * @param writableAll see the record description
     * @param signal      see the record description
     */
    public ListenOptions {
        if (port == NO_PORT && path == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "The argument 'options' must have the property \"port\" or \"path\". Received " + describe(host));
        }
        if (port != NO_PORT) {
            Args.port(port, "options.port");
        }
        if (backlog < 1) {
            backlog = DEFAULT_BACKLOG;
        }
        if (host != null && host.isEmpty()) {
            host = null;                                  // Node: an empty host is no host (falsy)
        }
    }

    private static String describe(@Nullable String host) {
        return host == null ? "{}" : "{ host: '" + host + "' }";
    }

    /**
     * Returns whether these options listen on a Unix domain socket path (no port was given).
     *
     * @return {@code true} for a path server
     */
    public boolean isPath() {
        return port == NO_PORT;
    }

    /**
     * Returns a builder with no port and no path; set one of them.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ListenOptions}; every setter returns the builder. */
    public static final class Builder {
        private int port = NO_PORT;
        private @Nullable String host;
        private @Nullable Path path;
        private int backlog = DEFAULT_BACKLOG;
        private boolean ipv6Only;
        private boolean exclusive;
        private boolean reusePort;
        private boolean readableAll;
        private boolean writableAll;
        private @Nullable AbortSignal signal;

        private Builder() {
        }

        /**
         * Sets the TCP port (0 for an ephemeral port).
         *
         * @param value 0..65535
         * @return this builder
         */
        public Builder port(int value) {
            this.port = Args.port(value, "options.port");
            return this;
        }

        /**
         * Sets the host to bind.
         *
         * @param value a host name or IP literal; the empty string means no host (the unspecified address),
         *              as in Node
         * @return this builder
         */
        public Builder host(String value) {
            this.host = Args.notNull(value, "host");
            return this;
        }

        /**
         * Sets the Unix domain socket path.
         *
         * @param value the path of the socket file
         * @return this builder
         */
        public Builder path(Path value) {
            this.path = Args.notNull(value, "path");
            return this;
        }

        /**
         * Sets the backlog.
         *
         * @param value the accept queue length; below 1 means the default
         * @return this builder
         */
        public Builder backlog(int value) {
            this.backlog = value;
            return this;
        }

        /**
         * Sets {@code ipv6Only}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder ipv6Only(boolean value) {
            this.ipv6Only = value;
            return this;
        }

        /**
         * Sets {@code exclusive} (no effect in the JVM; kept for Node compatibility).
         *
         * @param value the value
         * @return this builder
         */
        public Builder exclusive(boolean value) {
            this.exclusive = value;
            return this;
        }

        /**
         * Sets {@code reusePort}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder reusePort(boolean value) {
            this.reusePort = value;
            return this;
        }

        /**
         * Sets {@code readableAll}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder readableAll(boolean value) {
            this.readableAll = value;
            return this;
        }

        /**
         * Sets {@code writableAll}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder writableAll(boolean value) {
            this.writableAll = value;
            return this;
        }

        /**
         * Sets {@code signal}: aborting it closes the server, right after {@code listen} if it is aborted already.
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
         * @throws NetException {@code ERR_INVALID_ARG_VALUE} if neither port nor path was set
         */
        public ListenOptions build() {
            return new ListenOptions(port, host, path, backlog, ipv6Only, exclusive, reusePort, readableAll,
                    writableAll, signal);
        }
    }
}
