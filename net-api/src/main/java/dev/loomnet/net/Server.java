package dev.loomnet.net;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Node's {@code net.Server}: accepts TCP or Unix domain socket connections.
 *
 * <h2>Threads and order</h2>
 * A listening server runs one accept loop. Its own events ({@link #LISTENING}, {@link #ERROR},
 * {@link #CLOSE}) are delivered one at a time and never inside the call that caused them: a call made inside a
 * listener sees them after that listener returns (Node's next tick). {@link #LISTENING} always comes before the
 * first {@link #CONNECTION}. An exception thrown by a listener of these events goes to the uncaught exception
 * handler of the thread that ran it; the server carries on.
 * {@link #CONNECTION} is different: it runs on the new connection's own virtual thread, before any event of
 * that socket, so connection listeners of different connections run in parallel and may block.
 *
 * <p>While it listens, a server keeps the JVM alive (unless {@link #unref()}); when the last listening
 * server and open socket close, {@code main} may return and the JVM exits, as Node's process does.
 *
 * <p>A listener or callback argument is never optional: to pass none, call the overload without it. A
 * {@code null} one is a bug at the call site and throws {@code ERR_INVALID_ARG_TYPE} there, before the method
 * does anything.
 */
public interface Server extends EventEmitter<Server> {

    /** Emitted once the server is bound and listening ({@code 'listening'}). */
    Event.Valued<Server, Listener, @Nullable Void> LISTENING = Event.of("listening");
    /** Emitted for each accepted connection, on that connection's thread ({@code 'connection'}). */
    Event.Valued<Server, ConnectionListener, Socket> CONNECTION = Event.of("connection");
    /** Emitted when the server closed and its last connection ended ({@code 'close'}). */
    Event.Valued<Server, Listener, @Nullable Void> CLOSE = Event.of("close");
    /** Emitted for listen failures ({@code EADDRINUSE}, {@code EACCES}, ...) and accept errors ({@code 'error'}). */
    Event.Valued<Server, ErrorListener, Throwable> ERROR = Event.of("error");
    /**
     * Emitted when a connection was accepted and closed at once because {@link #maxConnections()} connections
     * were open ({@code 'drop'}, Node 18.6+).
     */
    Event.Valued<Server, DropInfo.Listener, @Nullable DropInfo> DROP = Event.of("drop");

    /**
     * Listens on a TCP port of the unspecified address ({@code server.listen(port)}). The bind happens before
     * this returns, so {@link #address()} is valid at once; {@link #LISTENING} follows. A bind failure is
     * emitted as {@link #ERROR}.
     *
     * @param port 0..65535; 0 picks an ephemeral port
     * @return this server
     * @throws NetException {@code ERR_SOCKET_BAD_PORT}; {@code ERR_SERVER_ALREADY_LISTEN} if listening
     */
    Server listen(int port);

    /**
     * Listens on a TCP port; {@code callback} is added as a once listener of {@link #LISTENING}.
     *
     * @param port     0..65535
     * @param callback runs once listening
     * @return this server
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Server listen(int port, Listener callback);

    /**
     * Listens on a TCP port of a host ({@code server.listen(port, host)}).
     *
     * @param port 0..65535
     * @param host a host name or IP literal; the empty string means no host, as {@link #listen(int)}
     *             (Node treats an empty host as none)
     * @return this server
     */
    Server listen(int port, String host);

    /**
     * Listens on a TCP port of a host; {@code callback} is added as a once listener of {@link #LISTENING}
     * ({@code server.listen(port, host, callback)}).
     *
     * @param port     0..65535
     * @param host     a host name or IP literal
     * @param callback runs once listening
     * @return this server
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Server listen(int port, String host, Listener callback);

    /**
     * Listens on a TCP port of a host with a backlog; {@code callback} is added as a once listener of
     * {@link #LISTENING}.
     *
     * @param port     0..65535
     * @param host     a host name or IP literal
     * @param backlog  the accept queue length; below 1 means {@value ListenOptions#DEFAULT_BACKLOG}
     * @param callback runs once listening
     * @return this server
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Server listen(int port, String host, int backlog, Listener callback);

    /**
     * Listens on a Unix domain socket path ({@code server.listen(path)}).
     *
     * @param path the socket file to create
     * @return this server
     */
    Server listen(Path path);

    /**
     * Listens on a Unix domain socket path; {@code callback} is added as a once listener of {@link #LISTENING}.
     *
     * @param path     the socket file to create
     * @param callback runs once listening
     * @return this server
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Server listen(Path path, Listener callback);

    /**
     * Listens as the options say ({@code server.listen(options)}).
     *
     * @param options port or path, host, backlog, ...
     * @return this server
     */
    Server listen(ListenOptions options);

    /**
     * Listens as the options say; {@code callback} is added as a once listener of {@link #LISTENING}.
     *
     * @param options  port or path, host, backlog, ...
     * @param callback runs once listening
     * @return this server
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Server listen(ListenOptions options, Listener callback);

    /**
     * Stops accepting at once ({@code server.close()}); open connections are left alone. {@link #CLOSE} is
     * emitted when the last of them has closed.
     *
     * @return this server
     */
    Server close();

    /**
     * As {@link #close()}; {@code callback} runs with {@code null} on {@link #CLOSE}, or with
     * {@code ERR_SERVER_NOT_RUNNING} if the server was not listening.
     *
     * @param callback completion callback
     * @return this server
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Server close(Callback callback);

    /**
     * Node's {@code server[Symbol.asyncDispose]()}: closes the server if it is listening. The future completes
     * once it has closed ({@link #CLOSE}, after its connections ended), at once if it was not listening.
     *
     * @return the future of the close
     */
    CompletableFuture<@Nullable Void> asyncDispose();

    /**
     * Returns the bound address ({@code server.address()}), or {@code null} when not listening. A Unix
     * socket server reports its path (see {@link AddressInfo#isUnix()}).
     *
     * @return the address or {@code null}
     */
    @Nullable AddressInfo address();

    /**
     * Shuts the server down gracefully: stops accepting at once (as {@link #close()}), ends every open
     * connection ({@link Socket#end()}: its queued bytes, then our FIN; the peer's FIN then closes it), destroys
     * the connections still open once {@code grace} has passed, and completes when the server's {@link #CLOSE}
     * was emitted, that is once the last connection closed. A grace of zero destroys the connections at once.
     *
     * <p>Node has no such method. Its {@code server.close()} only stops accepting and waits, for as long as it
     * takes, for the connections to end by themselves; {@code http.Server}'s {@code closeAllConnections()}
     * destroys them at once. This is the usual combination of both, with a bound.
     *
     * @param grace how long the connections may take to end, not negative
     * @return a future completed (with {@code null}) after {@link #CLOSE}
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for a null grace, {@code ERR_OUT_OF_RANGE} for a
     *                      negative one
     */
    java.util.concurrent.CompletableFuture<@Nullable Void> shutdown(java.time.Duration grace);

    /**
     * {@link #shutdown(java.time.Duration)} with a callback instead of a future.
     *
     * @param grace    how long the connections may take to end, not negative
     * @param callback runs with {@code null} after {@link #CLOSE}
     * @return this server
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for a null grace or callback, {@code ERR_OUT_OF_RANGE}
     *                      for a negative grace
     */
    Server shutdown(java.time.Duration grace, Callback callback);

    /**
     * Returns the accepted connections that have not closed yet, oldest first: a snapshot, which does not
     * change afterwards and cannot be modified. Node has no such method (its servers count their connections,
     * {@link #getConnections}); it is what a graceful shutdown or a connection limit of one's own needs.
     *
     * @return the open connections
     */
    java.util.List<Socket> openConnections();

    /**
     * Returns whether the server is listening ({@code server.listening}).
     *
     * @return {@code true} while listening
     */
    boolean listening();

    /**
     * Returns how many accepted connections are open now: a connection counts from before
     * {@link #CONNECTION} until its {@link Socket#CLOSE}. Stays exact after {@link #close()}.
     *
     * @return the open connection count
     */
    int connections();

    /**
     * Calls back with the open connection count ({@code server.getConnections(cb)}), after this call returns.
     *
     * @param callback receives {@code (null, count)}
     * @return this server
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Server getConnections(ConnectionsCallback callback);

    /**
     * Sets the connection limit ({@code server.maxConnections = n}): while {@code n} connections are open, a new
     * one is accepted and closed at once, and {@link #DROP} is emitted. 0 drops every connection (Node 21+).
     *
     * @param max the limit, not negative; {@link Integer#MAX_VALUE} for none
     * @return this server
     * @throws NetException {@code ERR_OUT_OF_RANGE} for a negative value
     */
    Server maxConnections(int max);

    /**
     * Returns the connection limit, {@link Integer#MAX_VALUE} when none was set (Node: {@code undefined}).
     *
     * @return the limit
     */
    int maxConnections();

    /**
     * Listens on an already bound server channel ({@code server.listen(handle)}), for example one inherited
     * through {@link System#inheritedChannel()} (systemd socket activation). The channel is used as is; a Unix
     * socket file bound by someone else is not removed on {@link #close()}.
     *
     * @param handle a bound {@link java.nio.channels.ServerSocketChannel}, in blocking mode
     * @return this server
     * @throws NetException {@code ERR_INVALID_ARG_VALUE} if the channel is not bound or not open
     */
    Server listen(java.nio.channels.ServerSocketChannel handle);

    /**
     * As {@link #listen(java.nio.channels.ServerSocketChannel)}; {@code callback} is added as a once listener of
     * {@link #LISTENING}.
     *
     * @param handle a bound {@link java.nio.channels.ServerSocketChannel}, in blocking mode
     * @param callback runs once listening
     * @return this server
     * @throws NetException {@code ERR_INVALID_ARG_VALUE} if the channel is not bound or not open;
     *                      {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Server listen(java.nio.channels.ServerSocketChannel handle, Listener callback);

    /**
     * Lets the JVM exit even while this server listens ({@code server.unref()}); remembered across listen.
     *
     * @return this server
     */
    Server unref();

    /**
     * Undoes {@link #unref()} (the default: a listening server keeps the JVM alive).
     *
     * @return this server
     */
    Server ref();
}
