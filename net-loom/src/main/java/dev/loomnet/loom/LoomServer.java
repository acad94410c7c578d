package dev.loomnet.loom;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.Callback;
import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Listener;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.SocketOptions;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A server: binding, the accept loop (one virtual thread per listening server), the open-connection count,
 * and Node's close rule ({@code close} is emitted once the server stopped listening and its last connection
 * closed).
 */
final class LoomServer extends Emitter<Server> implements Server {

    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final ServerOptions options;
    private final SocketOptions socketOptions;
    final EventQueue events;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger connections = new AtomicInteger();
    private final Lifetime.Ref lifetime = new Lifetime.Ref();

    private volatile @Nullable ServerSocketChannel channel;
    private volatile @Nullable AddressInfo address;
    private @Nullable Path ownedPath;
    private boolean closing;
    private int generation;

    LoomServer(ServerOptions options) {
        this.options = options;
        this.socketOptions = options.socketOptions();
        this.events = new EventQueue("server-events-" + id, Threads::uncaught);
    }

    @Override
    Server self() {
        return this;
    }

    // ---------------------------------------------------------------------------------------------------
    // listen

    @Override
    public Server listen(int port) {
        return listen(ListenOptions.builder().port(port).build(), null);
    }

    @Override
    public Server listen(int port, Listener callback) {
        return listen(ListenOptions.builder().port(port).build(), callback);
    }

    @Override
    public Server listen(int port, String host) {
        return listen(ListenOptions.builder().port(port).host(host).build(), null);
    }

    @Override
    public Server listen(int port, String host, int backlog, Listener callback) {
        return listen(ListenOptions.builder().port(port).host(host).backlog(backlog).build(), callback);
    }

    @Override
    public Server listen(Path path) {
        return listen(ListenOptions.builder().path(path).build(), null);
    }

    @Override
    public Server listen(Path path, Listener callback) {
        return listen(ListenOptions.builder().path(path).build(), callback);
    }

    @Override
    public Server listen(ListenOptions options) {
        return listen(options, null);
    }

    @Override
    public Server listen(ListenOptions options, @Nullable Listener callback) {
        if (options == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "The argument 'options' must have the property \"port\" or \"path\". Received null");
        }
        lock.lock();
        try {
            if (channel != null) {
                throw new NetException(NetException.ERR_SERVER_ALREADY_LISTEN,
                        "Listen method has been called more than once without closing.");
            }
            if (callback != null) {
                once(LISTENING, callback);
            }
            ServerSocketChannel ch;
            boolean v6;
            try {
                if (options.isPath()) {
                    ch = bindPath(options);
                    v6 = false;
                } else {
                    InetSocketAddress bound = bindAddress(options);
                    ch = ServerSocketChannel.open(bound.getAddress() instanceof Inet6Address
                            ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
                    try {
                        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                        if (options.reusePort()) {
                            ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                        }
                        ch.bind(bound, options.backlog());
                    } catch (IOException | RuntimeException e) {
                        ch.close();
                        throw e;
                    }
                    v6 = bound.getAddress() instanceof Inet6Address;
                }
            } catch (IOException e) {
                NetException error = listenError(e, options);
                events.post(() -> emitError(error));
                return this;
            }
            channel = ch;
            Stats.SERVERS.incrementAndGet();
            int gen = ++generation;
            address = Addresses.info(localAddress(ch), v6);
            updateLifetime();
            boolean mapped = v6;
            // Accept only after the LISTENING listeners ran: Node never emits 'connection' before 'listening'.
            // Clients that connect meanwhile wait in the kernel's backlog.
            events.post(() -> {
                if (isCurrent(ch, gen)) {
                    try {
                        emit(LISTENING, Listener::handle);
                    } finally {
                        Threads.startVirtual("accept-" + id, () -> acceptLoop(ch, mapped));
                    }
                }
            });
            return this;
        } finally {
            lock.unlock();
        }
    }

    private boolean isCurrent(ServerSocketChannel ch, int gen) {
        lock.lock();
        try {
            return channel == ch && generation == gen;
        } finally {
            lock.unlock();
        }
    }

    private static InetSocketAddress bindAddress(ListenOptions options) throws IOException {
        if (options.host() == null) {
            if (ipv6Available()) {
                return new InetSocketAddress(InetAddress.getByName("::"), options.port());
            }
            return new InetSocketAddress(InetAddress.getByName("0.0.0.0"), options.port());
        }
        InetAddress[] all = InetAddress.getAllByName(options.host());
        InetAddress pick = all[0];
        for (InetAddress a : all) {
            if (!a.isLinkLocalAddress()) {
                pick = a;
                break;
            }
        }
        return new InetSocketAddress(pick, options.port());
    }

    private static boolean ipv6Available() {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private ServerSocketChannel bindPath(ListenOptions options) throws IOException {
        Path path = options.path();
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path), options.backlog());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        ownedPath = path;
        if (options.readableAll() || options.writableAll()) {
            Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(path));
            if (options.readableAll()) {
                perms.addAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ));
            }
            if (options.writableAll()) {
                perms.addAll(Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
            }
            Files.setPosixFilePermissions(path, perms);
        }
        return ch;
    }

    private static NetException listenError(IOException e, ListenOptions options) {
        if (options.isPath()) {
            return Errors.listen(e, options.path().toString(), 0);
        }
        String host = options.host() == null ? "::" : options.host();
        return Errors.listen(e, host, options.port());
    }

    private static java.net.@Nullable SocketAddress localAddress(ServerSocketChannel ch) {
        try {
            return ch.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // accepting

    private void acceptLoop(ServerSocketChannel ch, boolean v6) {
        while (ch.isOpen()) {
            SocketChannel accepted;
            try {
                accepted = ch.accept();
            } catch (IOException e) {
                if (!ch.isOpen()) {
                    return;
                }
                NetException error = Errors.io(e, "accept");
                events.post(() -> emitError(error));
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);   // e.g. EMFILE: do not spin
                continue;
            }
            connections.incrementAndGet();
            new LoomSocket(socketOptions, this).accepted(accepted, v6, options.pauseOnConnect());
        }
    }

    /** Runs the connection listeners on the accepted socket's own thread. */
    void emitConnection(LoomSocket socket) throws Exception {
        emit(CONNECTION, l -> l.onConnection(socket));
    }

    /** An accepted socket closed (called once per socket, before its {@code close} listeners). */
    void connectionClosed() {
        if (connections.decrementAndGet() == 0) {
            postCloseIfDrained();
        }
    }

    private void emitError(Throwable error) throws Exception {
        if (!emit(ERROR, l -> l.onError(error))) {
            Threads.uncaught(error);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // close

    @Override
    public Server close() {
        return close(null);
    }

    @Override
    public Server close(@Nullable Callback callback) {
        ServerSocketChannel ch;
        Path path;
        lock.lock();
        try {
            ch = channel;
            if (ch == null) {
                events.post(() -> {
                    if (callback != null) {
                        callback.done(new NetException(NetException.ERR_SERVER_NOT_RUNNING, "Server is not running."));
                    }
                    emit(CLOSE, Listener::handle);
                });
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
            if (callback != null) {
                once(CLOSE, () -> callback.done(null));
            }
        } finally {
            lock.unlock();
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // the accept loop ends either way
        }
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // Node ignores unlink failures too
            }
        }
        postCloseIfDrained();
        return this;
    }

    private void postCloseIfDrained() {
        if (connections.get() != 0) {
            return;
        }
        events.post(() -> {
            lock.lock();
            try {
                if (!closing || connections.get() != 0) {
                    return;
                }
                closing = false;
            } finally {
                lock.unlock();
            }
            try {
                emit(CLOSE, Listener::handle);
            } finally {
                lock.lock();
                try {
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
