package dev.loomnet.net;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link Net#connect(ConnectOptions)} and {@link Socket#connect(ConnectOptions)}, immutable; build
 * with {@link #builder()}. Either a {@code port} (TCP) or a {@code path} (Unix domain socket) is required; a
 * path wins over a port, as in Node.
 *
 * @param port          the TCP port to connect to, or {@link #NO_PORT} with a path
 * @param host          the host (default {@value #DEFAULT_HOST}); an IP literal skips the lookup; empty means
 *                      the default, as in Node
 * @param path          the Unix domain socket path, or {@code null}
 * @param localAddress  the local IP address to bind before connecting, or {@code null}
 * @param localPort     the local port to bind before connecting, 0 for any
 * @param family        the IP family to resolve: 0 (either), 4 or 6
 * @param hints         the lookup's flags ({@code dns.lookup} hints): {@link Lookup#ADDRCONFIG},
 *                      {@link Lookup#V4MAPPED}, {@link Lookup#ALL} or'ed, 0 for none
 * @param timeout       when not {@code null}, {@link Socket#setTimeout(Duration)} is called before connecting
 *                      ({@code createConnection}'s {@code timeout} option)
 * @param socketOptions the options of the socket itself ({@code allowHalfOpen}, {@code noDelay}, ...)
 * @param lookup        the resolver, or {@code null} for the default ({@code InetAddress.getAllByName})
 * @param autoSelectFamily whether to try every resolved address, alternating families, with
 *                      {@code autoSelectFamilyAttemptTimeout} per attempt (RFC 8305 "Happy Eyeballs"); default
 *                      {@link Net#getDefaultAutoSelectFamily()} when the options are built. A
 *                      {@code localAddress} turns it off, as in Node
 * @param autoSelectFamilyAttemptTimeout how long one attempt may take before the next address is tried;
 *                      default {@link Net#getDefaultAutoSelectFamilyAttemptTimeout()}; values below 10 ms are
 *                      raised to 10 ms
 */
public record ConnectOptions(int port, String host, @Nullable Path path, @Nullable String localAddress,
                             int localPort, int family, int hints, @Nullable Duration timeout,
                             SocketOptions socketOptions,
                             @Nullable Lookup lookup, boolean autoSelectFamily,
                             Duration autoSelectFamilyAttemptTimeout) {

    /** The port value meaning "no port: connect to {@code path}". */
    public static final int NO_PORT = -1;

    /** Node's default host. */
    public static final String DEFAULT_HOST = "localhost";

    /**
     * Validates the components with Node's codes.
     *
     * @param port          0..65535, or {@link #NO_PORT} with a path
     * @param host          the host, not null; empty becomes {@value #DEFAULT_HOST}
     * @param path          a path or {@code null}
     * @param localAddress  an IP literal or {@code null}
     * @param localPort     0..65535
     * @param family        0, 4 or 6
     * @param hints         a combination of {@link Lookup}'s flags
     * @param timeout       not negative, or {@code null}
     * @param socketOptions not null
     * @param lookup        a resolver or {@code null}
     * @param autoSelectFamily see the record description
     * @param autoSelectFamilyAttemptTimeout at least 1 ms
     */
    public ConnectOptions {
        autoSelectFamilyAttemptTimeout = Args.attemptTimeout(autoSelectFamilyAttemptTimeout);
        if (localAddress != null && Net.isIP(localAddress) == 0) {
            throw new NetException(NetException.ERR_INVALID_IP_ADDRESS, "Invalid IP address: " + localAddress);
        }
        Args.notNull(host, "host");
        if (host.isEmpty()) {
            host = DEFAULT_HOST;                          // Node: options.host || 'localhost'
        }
        Args.notNull(socketOptions, "socketOptions");
        if (port == NO_PORT && path == null) {
            throw new NetException(NetException.ERR_MISSING_ARGS,
                    "The \"options\" or \"port\" or \"path\" argument must be specified");
        }
        if (port != NO_PORT) {
            Args.port(port, "Port");
        }
        Args.port(localPort, "options.localPort");
        if (family != 0 && family != 4 && family != 6) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "The property 'options.family' must be one of: 0, 4, 6. Received " + family);
        }
        if (timeout != null) {
            Args.nonNegative(timeout, "timeout");
        }
        Args.hints(hints);
    }

    /**
     * Returns whether these options connect to a Unix domain socket.
     *
     * @return {@code true} when a path is set
     */
    public boolean isPath() {
        return path != null;
    }

    /**
     * Returns a builder with Node's defaults and neither port nor path; set one of them.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ConnectOptions}; every setter returns the builder. */
    public static final class Builder extends SocketSetters<Builder> {
        private int port = NO_PORT;
        private String host = DEFAULT_HOST;
        private @Nullable Path path;
        private @Nullable String localAddress;
        private int localPort;
        private int family;
        private @Nullable Duration timeout;
        private @Nullable Lookup lookup;
        private int hints;
        private @Nullable Boolean autoSelectFamily;
        private @Nullable Duration attemptTimeout;
        private @Nullable OnRead onread;
        private @Nullable AbortSignal signal;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Sets the port.
         *
         * @param value 0..65535
         * @return this builder
         */
        public Builder port(int value) {
            this.port = Args.port(value, "Port");
            return this;
        }

        /**
         * Sets the host.
         *
         * @param value a host name or IP literal; empty means {@value ConnectOptions#DEFAULT_HOST}, as in Node
         * @return this builder
         */
        public Builder host(String value) {
            this.host = Args.notNull(value, "host");
            return this;
        }

        /**
         * Sets the Unix domain socket path (a path wins over a port).
         *
         * @param value the socket file
         * @return this builder
         */
        public Builder path(Path value) {
            this.path = Args.notNull(value, "path");
            return this;
        }

        /**
         * Sets the local address to bind.
         *
         * @param value an IP literal
         * @return this builder
         */
        public Builder localAddress(String value) {
            Args.notNull(value, "localAddress");
            if (Net.isIP(value) == 0) {
                throw new NetException(NetException.ERR_INVALID_IP_ADDRESS, "Invalid IP address: " + value);
            }
            this.localAddress = value;
            return this;
        }

        /**
         * Sets the local port to bind.
         *
         * @param value 0..65535
         * @return this builder
         */
        public Builder localPort(int value) {
            this.localPort = Args.port(value, "options.localPort");
            return this;
        }

        /**
         * Sets the family to resolve.
         *
         * @param value 0, 4 or 6
         * @return this builder
         */
        public Builder family(int value) {
            this.family = value;
            return this;
        }

        /**
         * Sets the idle timeout armed before connecting.
         *
         * @param value not negative; zero disables
         * @return this builder
         */
        public Builder timeout(Duration value) {
            this.timeout = Args.nonNegative(value, "timeout");
            return this;
        }

        /**
         * Sets the resolver ({@code lookup}).
         *
         * @param value the resolver
         * @return this builder
         */
        public Builder lookup(Lookup value) {
            this.lookup = Args.notNull(value, "lookup");
            return this;
        }

        /**
         * Sets the lookup's {@code hints}: {@link Lookup#ADDRCONFIG}, {@link Lookup#V4MAPPED} and
         * {@link Lookup#ALL}, or'ed.
         *
         * @param value the flags
         * @return this builder
         * @throws NetException {@code ERR_INVALID_ARG_VALUE} for any other bit
         */
        public Builder hints(int value) {
            this.hints = Args.hints(value);
            return this;
        }

        /**
         * Sets {@code autoSelectFamily}.
         *
         * @param value whether to try every resolved address
         * @return this builder
         */
        public Builder autoSelectFamily(boolean value) {
            this.autoSelectFamily = value;
            return this;
        }

        /**
         * Sets {@code autoSelectFamilyAttemptTimeout}.
         *
         * @param value at least 1 ms; below 10 ms means 10 ms
         * @return this builder
         */
        public Builder autoSelectFamilyAttemptTimeout(Duration value) {
            this.attemptTimeout = Args.attemptTimeout(value);
            return this;
        }

        /**
         * Sets the socket's {@code onread}: reads go into your buffer and to its callback, without {@code DATA}
         * events.
         *
         * @param value the buffer and callback
         * @return this builder
         */
        public Builder onread(OnRead value) {
            this.onread = Args.notNull(value, "onread");
            return this;
        }

        /**
         * Sets the socket's {@code signal}: aborting it destroys the socket with {@code ABORT_ERR}, at once if it
         * is aborted already.
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
         * @throws NetException {@code ERR_MISSING_ARGS} if neither port nor path was set
         */
        public ConnectOptions build() {
            SocketOptions socket = new SocketOptions(allowHalfOpen, noDelay, keepAlive, keepAliveInitialDelay,
                    highWaterMark, blockList, onread, signal);
            return new ConnectOptions(port, host, path, localAddress, localPort, family, hints, timeout, socket,
                    lookup, autoSelectFamily == null ? Net.getDefaultAutoSelectFamily() : autoSelectFamily,
                    attemptTimeout == null ? Net.getDefaultAutoSelectFamilyAttemptTimeout() : attemptTimeout);
        }
    }
}
