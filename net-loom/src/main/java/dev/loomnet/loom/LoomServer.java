package dev.loomnet.loom;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.Callback;
import dev.loomnet.net.ConnectionsCallback;
import dev.loomnet.net.DropInfo;
import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Listener;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A server: binding, the accept loop (one virtual thread per listening server), the open-connection count,
 * and Node's close rule ({@code close} is emitted once the server stopped listening and its last connection
 * closed).
 */
class LoomServer extends Emitter<Server> implements Server, EventQueue.Owner {

    private static final AtomicLong IDS = new AtomicLong();

    final long id = IDS.incrementAndGet();
    private final ServerOptions options;
    private final SocketOptions socketOptions;
    final EventQueue events;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger connections = new AtomicInteger();
    /** Connections admitted and dropped since the server last started listening, for the record of its close. */
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** The accepted sockets not closed yet, oldest first; guarded by {@link #lock}. */
    private final OpenConnections open = new OpenConnections();
    private final Lifetime.Ref lifetime = new Lifetime.Ref();

    private volatile @Nullable ServerSocketChannel channel;
    private volatile int maxConnections = Integer.MAX_VALUE;
    /** The thread running the accept loop of the current channel, if it started. Guarded by {@link #lock}. */
    private @Nullable Thread acceptThread;
    private volatile @Nullable AddressInfo address;
    /** Where the server last listened: its close is recorded with it ({@link #address} is gone by then). */
    private volatile @Nullable AddressInfo lastAddress;
    private @Nullable Path ownedPath;
    private boolean closing;
    /**
     * {@code close()} was called and its {@code CLOSE} is not posted yet: it waits for the last connection.
     * Guarded by {@link #lock}, under which the count and the channel are checked, so that {@code close()} and
     * the last connection's close cannot both post it.
     */
    private boolean closeOwed;
    private int generation;

    LoomServer(ServerOptions options) {
        this.options = options;
        this.socketOptions = options.socketOptions();
        this.events = new EventQueue("server-events-", id, this);
        keepEventsIfLate(false);
    }

    @Override
    Server self() {
        return this;
    }

    @Override
    EventQueue eventQueue() {
        return events;
    }

    @Override
    dev.loomnet.net.Event<Server, dev.loomnet.net.ErrorListener> errorEvent() {
        return ERROR;
    }

    /** {@link EventQueue.Owner}: a server listener threw; servers are not destroyed by it, so report it. */
    @Override
    public void taskFailed(Throwable error) {
        Threads.uncaught(error);
    }

    // ---------------------------------------------------------------------------------------------------
    // listen

    @Override
    public Server listen(int port) {
        return listenWith(ListenOptions.builder().port(port).build(), null);
    }

    @Override
    public Server listen(int port, Listener callback) {
        Validate.function(callback, "callback");
        return listenWith(ListenOptions.builder().port(port).build(), callback);
    }

    @Override
    public Server listen(int port, String host) {
        return listenWith(ListenOptions.builder().port(port).host(host).build(), null);
    }

    @Override
    public Server listen(int port, String host, Listener callback) {
        Validate.function(callback, "callback");
        return listenWith(ListenOptions.builder().port(port).host(host).build(), callback);
    }

    @Override
    public Server listen(int port, String host, int backlog, Listener callback) {
        Validate.function(callback, "callback");
        return listenWith(ListenOptions.builder().port(port).host(host).backlog(backlog).build(), callback);
    }

    @Override
    public Server listen(Path path) {
        return listenWith(ListenOptions.builder().path(path).build(), null);
    }

    @Override
    public Server listen(Path path, Listener callback) {
        Validate.function(callback, "callback");
        return listenWith(ListenOptions.builder().path(path).build(), callback);
    }

    @Override
    public Server listen(ListenOptions options) {
        return listenWith(options, null);
    }

    @Override
    public Server listen(ListenOptions options, Listener callback) {
        return listenWith(options, Validate.function(callback, "callback"));
    }

    /** {@code listen} with the arguments checked; {@code callback} may be null here. */
    private Server listenWith(ListenOptions options, @Nullable Listener callback) {
        if (options == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "The argument 'options' must have the property \"port\" or \"path\". Received null");
        }
        if (channel != null) {
            throw alreadyListening();
        }
        if (Aborts.aborted(options.signal())) {
            return close();                               // Node closes before 'listening' is emitted
        }
        InetSocketAddress bound = null;
        NetException error = null;
        if (!options.isPath()) {
            try {
                bound = Binding.address(options);      // may resolve a host name: not under the lock
            } catch (IOException e) {
                error = Binding.error(e, options);
            }
        }
        lock.lock();
        try {
            claimListen(callback);
            ServerSocketChannel ch = null;
            if (error == null) {
                try {
                    ch = options.isPath() ? Binding.path(options)
                            : Binding.inet(Objects.requireNonNull(bound), options);
                    ownedPath = options.isPath() ? options.path() : null;
                } catch (IOException e) {
                    error = Binding.error(e, options);
                }
            }
            if (ch == null) {
                NetException failure = Objects.requireNonNull(error); // no channel only after an error
                events.post(() -> emitError(failure));
            } else {
                boolean v6 = bound != null && bound.getAddress() instanceof Inet6Address;
                start(ch, v6, options.ipv6Only() && v6);
            }
        } finally {
            lock.unlock();
        }
        Aborts.watch(this, options.signal());                // outside the lock: an abort calls close()
        return this;
    }

    @Override
    public Server listen(ServerSocketChannel handle) {
        return listenOn(handle, null);
    }

    @Override
    public Server listen(ServerSocketChannel handle, Listener callback) {
        return listenOn(handle, Validate.function(callback, "callback"));
    }

    private Server listenOn(ServerSocketChannel handle, @Nullable Listener callback) {
        if (handle == null || !handle.isOpen() || localAddress(handle) == null || !handle.isBlocking()) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "The argument 'handle' must be an open, bound, blocking ServerSocketChannel. Received " + handle);
        }
        lock.lock();
        try {
            claimListen(callback);
            boolean v6 = localAddress(handle) instanceof InetSocketAddress inet
                    && inet.getAddress() instanceof Inet6Address;
            start(handle, v6, false);
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the channel is bound; count it, emit LISTENING, then start accepting. */
    private void start(ServerSocketChannel ch, boolean v6, boolean ipv6Only) {
        channel = ch;
        Stats.SERVERS.incrementAndGet();
        int gen = ++generation;
        AddressInfo at = Addresses.info(localAddress(ch), v6);
        address = at;
        lastAddress = at;
        accepted.set(0);
        dropped.set(0);
        updateLifetime();
        // LISTENING is emitted before the first CONNECTION: the accept loop starts once it ran.
        events.post(() -> {
            if (!isCurrent(ch, gen)) {
                return;
            }
            try {
                Jfr.serverListening(id, at, this instanceof LoomTlsServer);
                Log.serverListening(this, at);
                emitLifecycle(LISTENING, Listener::handle);
            } finally {
                lock.lock();
                try {
                    if (isCurrent(ch, gen)) {           // not closed by a LISTENING listener
                        acceptThread = Threads.startVirtual("accept-" + id,
                                new AcceptLoop(this, options, ch, v6, ipv6Only));
                    }
                } finally {
                    lock.unlock();
                }
            }
        });
    }

    /** Under {@link #lock}: fails if already listening, else registers the listen callback. */
    private void claimListen(@Nullable Listener callback) {
        if (channel != null) {
            throw alreadyListening();
        }
        keepEventsIfLate(true);
        if (callback != null) {
            onceInTime(LISTENING, callback);
        }
    }

    private static NetException alreadyListening() {
        return new NetException(NetException.ERR_SERVER_ALREADY_LISTEN,
                "Listen method has been called more than once without closing.");
    }

    // ReferenceEquality: whether the server still listens on this very channel object
    @SuppressWarnings("ReferenceEquality")
    private boolean isCurrent(ServerSocketChannel ch, int gen) {
        lock.lock();
        try {
            return channel == ch && generation == gen;
        } finally {
            lock.unlock();
        }
    }

    private static java.net.@Nullable SocketAddress localAddress(ServerSocketChannel ch) {
        try {
            return ch.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A connection the accept loop let in: counted, then a socket of its own (which emits {@code CONNECTION});
     * null when {@link #maxConnections} are open already, and the caller drops it.
     */
    @Nullable LoomSocket admit() {
        if (connections.get() >= maxConnections) {
            return null;
        }
        connections.incrementAndGet();
        accepted.incrementAndGet();
        LoomSocket socket = newSocket(socketOptions);
        lock.lock();
        try {
            open.add(socket);
        } finally {
            lock.unlock();
        }
        return socket;
    }

    /** The socket of an accepted connection (a TLS server's are TLS sockets). */
    LoomSocket newSocket(SocketOptions forSocket) {
        return new LoomSocket(forSocket, this);
    }

    /** An accept failed for good: Server.ERROR, on the server's event sequence. */
    void acceptFailed(NetException error) {
        events.post(() -> emitError(error));
    }

    /** Node's {@code 'drop'}. */
    void emitDrop(@Nullable DropInfo info) {
        dropped.incrementAndGet();
        Jfr.drop(id, info, maxConnections);
        Log.drop(this, info, maxConnections);
        events.post(() -> emit(DROP, l -> l.onDrop(info)));
    }

    /** Runs the connection listeners on the accepted socket's own thread. */
    void emitConnection(LoomSocket socket) throws Exception {
        emit(CONNECTION, l -> l.onConnection(socket));
    }

    /** An accepted socket closed (called once per socket, before its {@code close} listeners). */
    void connectionClosed(LoomSocket socket) {
        lock.lock();
        try {
            open.remove(socket);
        } finally {
            lock.unlock();
        }
        if (connections.decrementAndGet() == 0) {
            postCloseIfOwed();
        }
    }

    @Override
    public List<Socket> openConnections() {
        lock.lock();
        try {
            return open.snapshot();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletableFuture<@Nullable Void> shutdown(Duration grace) {
        CompletableFuture<@Nullable Void> done = new CompletableFuture<>();
        shutdown(grace, error -> done.complete(null));
        return done;
    }

    @Override
    public Server shutdown(Duration grace, Callback callback) {
        Validate.function(callback, "callback");
        if (Validate.notNull(grace, "grace").isNegative()) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE,
                    "The value of \"grace\" is out of range. It must be >= 0. Received " + grace.toMillis());
        }
        GracefulShutdown.start(this, grace, callback);
        return this;
    }

    // ---------------------------------------------------------------------------------------------------
    // close

    @Override
    public Server close() {
        return closeWith(null);
    }

    @Override
    public Server close(Callback callback) {
        return closeWith(Validate.function(callback, "callback"));
    }

    @Override
    public CompletableFuture<@Nullable Void> asyncDispose() {
        CompletableFuture<@Nullable Void> closed = new CompletableFuture<>();
        if (!listening()) {
            closed.complete(null);
            return closed;
        }
        // closed by another thread meanwhile (ERR_SERVER_NOT_RUNNING): closed all the same
        closeWith(error -> closed.complete(null));
        return closed;
    }

    private Server closeWith(@Nullable Callback callback) {
        ServerSocketChannel ch;
        Path path;
        Thread accepting;
        lock.lock();
        try {
            accepting = acceptThread;
            acceptThread = null;
            ch = channel;
            if (callback != null) {
                // Node: the callback is a once 'close' listener; when not listening it gets
                // ERR_SERVER_NOT_RUNNING, and 'close' still comes (once the connections are gone).
                if (ch == null) {
                    onceInTime(CLOSE, () -> callback.done(
                            new NetException(NetException.ERR_SERVER_NOT_RUNNING, "Server is not running.")));
                } else {
                    onceInTime(CLOSE, () -> callback.done(null));
                }
            }
            closeOwed = true;
            if (ch == null) {
                postCloseIfOwed();
                return this;
            }
            channel = null;
            Stats.SERVERS.decrementAndGet();
            generation++;
            closing = true;
            path = ownedPath;
            ownedPath = null;
            if (address != null && !address.isUnix()) {
                address = null;
            }
        } finally {
            lock.unlock();
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // the accept loop ends either way
        }
        awaitEnd(accepting);
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // Node ignores unlink failures too
            }
        }
        postCloseIfOwed();
        return this;
    }

    /**
     * Waits (briefly) for the accept loop to end. While a thread is blocked in {@code accept}, the JDK defers
     * the real close of the descriptor until that thread wakes up; until then the port still completes
     * handshakes, so a client could connect to a closed server. Node closes the socket at once.
     */
    private static void awaitEnd(@Nullable Thread accepting) {
        if (accepting == null || accepting == Thread.currentThread()) {
            return;
        }
        java.util.concurrent.locks.LockSupport.unpark(accepting);     // out of a retry pause at once
        boolean interrupted = false;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (accepting.isAlive() && System.nanoTime() < deadline) {
            try {
                accepting.join(java.time.Duration.ofMillis(100));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Node's {@code _emitCloseIfDrained}: when {@code close()} was called, the server is not listening and has no
     * connection left, emit {@code close} on the next tick, once per {@code close()}. The condition is checked
     * now, as Node does, so a {@code listen} right after {@code close} does not cancel the pending
     * {@code close}.
     */
    private void postCloseIfOwed() {
        lock.lock();
        try {
            if (!closeOwed || channel != null || connections.get() != 0) {
                return;
            }
            closeOwed = false;
            closing = true;                               // keeps the JVM alive until CLOSE has run
            updateLifetime();
        } finally {
            lock.unlock();
        }
        events.post(() -> {
            try {
                Jfr.serverClosed(id, lastAddress, accepted.get(), dropped.get());
                Log.serverClosed(this, lastAddress, accepted.get(), dropped.get());
                emitLifecycle(CLOSE, Listener::handle);
            } finally {
                lock.lock();
                try {
                    closing = false;
                    updateLifetime();
                } finally {
                    lock.unlock();
                }
            }
        });
    }

    /** Under the lock: the server keeps the JVM alive while it listens or waits to emit its close. */
    private void updateLifetime() {
        if (channel != null || closing) {
            lifetime.activate();
        } else {
            lifetime.deactivate();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // accessors

    @Override
    public @Nullable AddressInfo address() {
        return address;
    }

    @Override
    public boolean listening() {
        return channel != null;
    }

    @Override
    public int connections() {
        return connections.get();
    }

    @Override
    public Server getConnections(ConnectionsCallback callback) {
        Validate.function(callback, "callback");
        int count = connections.get();
        events.post(() -> callback.done(null, count));
        return this;
    }

    @Override
    public Server maxConnections(int max) {
        if (max < 0) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE,
                    "The value of \"maxConnections\" is out of range. It must be >= 0. Received " + max);
        }
        maxConnections = max;
        return this;
    }

    @Override
    public int maxConnections() {
        return maxConnections;
    }

    @Override
    public Server unref() {
        lifetime.unref();
        return this;
    }

    @Override
    public Server ref() {
        lifetime.ref();
        return this;
    }

    @Override
    public String toString() {
        return "Server[" + id + " " + address + "]";
    }
}
