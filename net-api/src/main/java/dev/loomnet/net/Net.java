package dev.loomnet.net;

import dev.loomnet.net.spi.NetProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * Node's {@code net} module: {@code net.createServer} and {@code net.connect} as static methods.
 *
 * <p>A listener argument is never optional: to pass none, call the overload without it. A {@code null} one
 * is a bug at the call site and throws {@code ERR_INVALID_ARG_TYPE} there, before anything connects.
 *
 * <p>The methods delegate to the implementation found once with {@link ServiceLoader} (artifact
 * {@code dev.loomnet:net-loom}); without one on the class path or module path they throw
 * {@link IllegalStateException} naming the artifact to add.
 *
 * <pre>{@code
 * Server server = Net.createServer(socket -> {
 *     socket.write("Hello World!\r\n");
 *     socket.on(Socket.DATA, socket::write);           // echo
 * }).listen(8080, () -> System.out.println("server is listening"));
 * }</pre>
 */
public final class Net {

    /** Node 20/22's default of {@code autoSelectFamilyAttemptTimeout}. */
    public static final Duration DEFAULT_AUTO_SELECT_FAMILY_ATTEMPT_TIMEOUT = Duration.ofMillis(250);

    private static volatile boolean defaultAutoSelectFamily = true;
    private static volatile Duration defaultAttemptTimeout = DEFAULT_AUTO_SELECT_FAMILY_ATTEMPT_TIMEOUT;

    private Net() {
    }

    /**
     * Returns the {@code autoSelectFamily} default of connect options built from now on
     * ({@code net.getDefaultAutoSelectFamily()}); initially {@code true}, as in Node 20+.
     *
     * @return the default
     */
    public static boolean getDefaultAutoSelectFamily() {
        return defaultAutoSelectFamily;
    }

    /**
     * Sets the {@code autoSelectFamily} default ({@code net.setDefaultAutoSelectFamily(value)}).
     *
     * @param value the new default
     */
    public static void setDefaultAutoSelectFamily(boolean value) {
        defaultAutoSelectFamily = value;
    }

    /**
     * Returns the {@code autoSelectFamilyAttemptTimeout} default
     * ({@code net.getDefaultAutoSelectFamilyAttemptTimeout()}); initially
     * {@link #DEFAULT_AUTO_SELECT_FAMILY_ATTEMPT_TIMEOUT}.
     *
     * @return the default
     */
    public static Duration getDefaultAutoSelectFamilyAttemptTimeout() {
        return defaultAttemptTimeout;
    }

    /**
     * Sets the {@code autoSelectFamilyAttemptTimeout} default
     * ({@code net.setDefaultAutoSelectFamilyAttemptTimeout(value)}).
     *
     * @param value at least 1 ms; values below 10 ms become 10 ms, as in Node
     * @throws NetException {@code ERR_OUT_OF_RANGE} below 1 ms
     */
    public static void setDefaultAutoSelectFamilyAttemptTimeout(Duration value) {
        defaultAttemptTimeout = Args.attemptTimeout(value);
    }

    /** Finds the provider once; holds null (not an exception) when there is none, so every call can say why. */
    private static final class Holder {
        static final @org.jspecify.annotations.Nullable NetProvider PROVIDER = load();

        private static @org.jspecify.annotations.Nullable NetProvider load() {
            Iterator<NetProvider> it = ServiceLoader.load(NetProvider.class, Net.class.getClassLoader()).iterator();
            if (!it.hasNext()) {
                it = ServiceLoader.load(NetProvider.class).iterator();
            }
            return it.hasNext() ? it.next() : null;
        }
    }

    /**
     * Returns the implementation in use.
     *
     * @return the provider found by {@link ServiceLoader}
     * @throws IllegalStateException if no implementation is on the class path or module path
     */
    public static NetProvider provider() {
        NetProvider provider = Holder.PROVIDER;
        if (provider == null) {
            throw new IllegalStateException("No loomnet implementation found: add the artifact "
                    + "dev.loomnet:net-loom (module dev.loomnet.loom) to the class path or module path");
        }
        return provider;
    }

    /**
     * Creates a server with default options ({@code net.createServer()}).
     *
     * @return a server that is not listening yet
     */
    public static Server createServer() {
        return provider().createServer(ServerOptions.DEFAULTS);
    }

    /**
     * Creates a server whose {@link Server#CONNECTION} listener is {@code connectionListener}.
     *
     * @param connectionListener runs for each accepted connection
     * @return a server that is not listening yet
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if an argument is {@code null}
     */
    public static Server createServer(ConnectionListener connectionListener) {
        return createServer(ServerOptions.DEFAULTS, connectionListener);
    }

    /**
     * Creates a server with options and a {@link Server#CONNECTION} listener
     * ({@code net.createServer(options, connectionListener)}).
     *
     * @param options            the server options
     * @param connectionListener runs for each accepted connection
     * @return a server that is not listening yet
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if an argument is {@code null}
     */
    public static Server createServer(ServerOptions options, ConnectionListener connectionListener) {
        Args.notNull(options, "options");
        Args.notNull(connectionListener, "connectionListener");
        return provider().createServer(options).on(Server.CONNECTION, connectionListener);
    }

    /**
     * Creates an unconnected socket with default options ({@code new net.Socket()}).
     *
     * @return a pending socket; call one of its {@code connect} methods
     */
    public static Socket socket() {
        return provider().createSocket(SocketOptions.DEFAULTS);
    }

    /**
     * Creates an unconnected socket ({@code new net.Socket(options)}).
     *
     * @param options the socket options
     * @return a pending socket
     */
    public static Socket socket(SocketOptions options) {
        return provider().createSocket(Args.notNull(options, "options"));
    }

    /**
     * Wraps an existing connected channel in a socket ({@code new net.Socket({fd})}), e.g. one accepted by other
     * code or inherited from the parent process. The socket is connected at once and emits no {@code CONNECT}.
     *
     * @param connected an open, connected {@link java.nio.channels.SocketChannel} in blocking mode
     * @return the socket
     * @throws NetException {@code ERR_INVALID_ARG_VALUE} if the channel is not open, connected and blocking
     */
    public static Socket socket(java.nio.channels.SocketChannel connected) {
        return socket(connected, SocketOptions.DEFAULTS);
    }

    /**
     * Wraps an existing connected channel in a socket with options.
     *
     * @param connected an open, connected channel in blocking mode
     * @param options   the socket options
     * @return the socket
     * @throws NetException {@code ERR_INVALID_ARG_VALUE} if the channel is not open, connected and blocking
     */
    public static Socket socket(java.nio.channels.SocketChannel connected, SocketOptions options) {
        Args.notNull(connected, "channel");
        Args.notNull(options, "options");
        if (!connected.isOpen() || !connected.isConnected() || !connected.isBlocking()) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "The argument 'channel' must be open, connected and blocking. Received " + connected);
        }
        return provider().adopt(connected, options);
    }

    /**
     * Connects to a TCP port on {@value ConnectOptions#DEFAULT_HOST} ({@code net.connect(port)}).
     *
     * @param port 0..65535
     * @return the socket, still connecting
     * @throws NetException {@code ERR_SOCKET_BAD_PORT} for a bad port
     */
    public static Socket connect(int port) {
        return connect(port, ConnectOptions.DEFAULT_HOST);
    }

    /**
     * Connects to a TCP port on a host ({@code net.connect(port, host)}).
     *
     * @param port 0..65535
     * @param host a host name or IP literal
     * @return the socket, still connecting
     */
    public static Socket connect(int port, String host) {
        return connect(ConnectOptions.builder().port(port).host(host).build());
    }

    /**
     * Connects to a TCP port on a host, with a {@link Socket#CONNECT} once listener.
     *
     * @param port            0..65535
     * @param host            a host name or IP literal
     * @param connectListener runs once connected
     * @return the socket, still connecting
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code connectListener} is {@code null}
     */
    public static Socket connect(int port, String host, Listener connectListener) {
        Args.function(connectListener, "connectListener");
        return connect(ConnectOptions.builder().port(port).host(host).build(), connectListener);
    }

    /**
     * Connects to a Unix domain socket ({@code net.connect(path)}).
     *
     * @param path the socket file
     * @return the socket, still connecting
     */
    public static Socket connect(Path path) {
        return connect(ConnectOptions.builder().path(path).build());
    }

    /**
     * Connects to a Unix domain socket, with a {@link Socket#CONNECT} once listener.
     *
     * @param path            the socket file
     * @param connectListener runs once connected
     * @return the socket, still connecting
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code connectListener} is {@code null}
     */
    public static Socket connect(Path path, Listener connectListener) {
        Args.function(connectListener, "connectListener");
        return connect(ConnectOptions.builder().path(path).build(), connectListener);
    }

    /**
     * Connects as the options say ({@code net.connect(options)}); the socket gets the options' socket part.
     *
     * @param options where and how to connect
     * @return the socket, still connecting
     */
    public static Socket connect(ConnectOptions options) {
        Args.notNull(options, "options");
        return provider().createSocket(options.socketOptions()).connect(options);
    }

    /**
     * Connects as the options say, with a {@link Socket#CONNECT} once listener
     * ({@code net.connect(options, connectListener)}).
     *
     * @param options         where and how to connect
     * @param connectListener runs once connected
     * @return the socket, still connecting
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code connectListener} is {@code null}
     */
    public static Socket connect(ConnectOptions options, Listener connectListener) {
        Args.notNull(options, "options");
        Args.function(connectListener, "connectListener");
        return provider().createSocket(options.socketOptions()).connect(options, connectListener);
    }

    /**
     * Same as {@link #connect(int)} ({@code net.createConnection}).
     *
     * @param port 0..65535
     * @return the socket, still connecting
     */
    public static Socket createConnection(int port) {
        return connect(port);
    }

    /**
     * Same as {@link #connect(int, String)}.
     *
     * @param port 0..65535
     * @param host a host name or IP literal
     * @return the socket, still connecting
     */
    public static Socket createConnection(int port, String host) {
        return connect(port, host);
    }

    /**
     * Same as {@link #connect(int, String, Listener)}.
     *
     * @param port            0..65535
     * @param host            a host name or IP literal
     * @param connectListener runs once connected
     * @return the socket, still connecting
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code connectListener} is {@code null}
     */
    public static Socket createConnection(int port, String host, Listener connectListener) {
        return connect(port, host, connectListener);
    }

    /**
     * Same as {@link #connect(Path)}.
     *
     * @param path the socket file
     * @return the socket, still connecting
     */
    public static Socket createConnection(Path path) {
        return connect(path);
    }

    /**
     * Same as {@link #connect(Path, Listener)}.
     *
     * @param path            the socket file
     * @param connectListener runs once connected
     * @return the socket, still connecting
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code connectListener} is {@code null}
     */
    public static Socket createConnection(Path path, Listener connectListener) {
        return connect(path, connectListener);
    }

    /**
     * Same as {@link #connect(ConnectOptions)}.
     *
     * @param options where and how to connect
     * @return the socket, still connecting
     */
    public static Socket createConnection(ConnectOptions options) {
        return connect(options);
    }

    /**
     * Same as {@link #connect(ConnectOptions, Listener)}.
     *
     * @param options         where and how to connect
     * @param connectListener runs once connected
     * @return the socket, still connecting
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code connectListener} is {@code null}
     */
    public static Socket createConnection(ConnectOptions options, Listener connectListener) {
        return connect(options, connectListener);
    }

    /**
     * Tests whether {@code input} is an IP address ({@code net.isIP}), with Node's exact grammar: dotted-quad
     * IPv4 with no leading zeros, or IPv6 (one optional {@code ::}, an optional IPv4 tail, an optional
     * {@code %zone}); no surrounding whitespace, no DNS. {@code null} gives 0, as Node's {@code isIP(null)}.
     *
     * @param input the text to test, or {@code null}
     * @return 4 for IPv4, 6 for IPv6, 0 otherwise
     */
    public static int isIP(@org.jspecify.annotations.Nullable String input) {
        if (input == null) {
            return 0;
        }
        if (IpGrammar.isV4(input)) {
            return 4;
        }
        return IpGrammar.isV6(input) ? 6 : 0;
    }

    /**
     * Tests whether {@code input} is an IPv4 address in Node's grammar ({@code net.isIPv4}).
     *
     * @param input the text to test, or {@code null}
     * @return {@code true} for a dotted-quad IPv4 address
     */
    public static boolean isIPv4(@org.jspecify.annotations.Nullable String input) {
        return input != null && IpGrammar.isV4(input);
    }

    /**
     * Tests whether {@code input} is an IPv6 address in Node's grammar ({@code net.isIPv6}).
     *
     * @param input the text to test, or {@code null}
     * @return {@code true} for an IPv6 address
     */
    public static boolean isIPv6(@org.jspecify.annotations.Nullable String input) {
        return input != null && IpGrammar.isV6(input);
    }
}
