package dev.loomnet.tests.core;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The objects one case of {@link BadInputTest} calls into, made on demand and all closed afterwards: fresh
 * sockets and servers, a socket connected to an echo server, paths in a temporary folder. Every socket and
 * server made here has an {@code ERROR} listener, so that an error a case causes on purpose is recorded
 * rather than sent to the uncaught exception handler.
 */
final class BadInputEnv implements AutoCloseable {

    private final Path dir;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Server> servers = new CopyOnWriteArrayList<>();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger closed = new AtomicInteger();
    /** The errors emitted by the sockets and servers made here, in order. */
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private Server echo;

    BadInputEnv(Path dir) {
        this.dir = dir;
    }

    /** A new socket, never connected. */
    Socket socket() {
        return track(Net.socket());
    }

    /** Records {@code socket}'s errors and closes it after the case; returns it. */
    Socket track(Socket socket) {
        socket.on(Socket.ERROR, errors::add).on(Socket.CLOSE, hadError -> closed.incrementAndGet());
        sockets.add(socket);
        return socket;
    }

    /** A socket connected to the echo server (its {@code CONNECT} listeners ran). */
    Socket connected() {
        Socket socket = socket();
        AtomicBoolean connected = new AtomicBoolean();
        socket.connect(port(), Loopback.V4, () -> connected.set(true));
        EventLog.waiting().untilTrue(connected);
        return socket;
    }

    /**
     * A socket connected to a server that keeps its side open after the client's FIN ({@code allowHalfOpen})
     * and never ends it: after {@code end()} the socket stays open, however fast the peer is. The server's
     * sockets are destroyed in {@link #close()}.
     */
    Socket connectedHalfOpen() {
        Server server = Net.createServer(ServerOptions.builder().allowHalfOpen(true).build(),
                s -> accepted.add(s.on(Socket.ERROR, errors::add)));
        server.on(Server.ERROR, errors::add);
        servers.add(server.listen(0, Loopback.V4));
        Socket socket = socket();
        AtomicBoolean connected = new AtomicBoolean();
        socket.connect(server.address().port(), Loopback.V4, () -> connected.set(true));
        EventLog.waiting().untilTrue(connected);
        return socket;
    }

    /** A new server, not listening. */
    Server server() {
        Server server = Net.createServer();
        server.on(Server.ERROR, errors::add);
        servers.add(server);
        return server;
    }

    /** A new server listening on an ephemeral port of 127.0.0.1. */
    Server listening() {
        return server().listen(0, Loopback.V4);
    }

    /** The port of an echo server listening on every address (dual stack), started on first use. */
    int port() {
        if (echo == null) {
            echo = Net.createServer(s -> s.on(Socket.ERROR, errors::add).pipe(s)).listen(0);
        }
        return echo.address().port();
    }

    /** A path in the case's temporary folder. */
    Path path(String name) {
        return dir.resolve(name);
    }

    /** Destroys every socket and closes every server, waiting for their {@code CLOSE}. */
    @Override
    public void close() {
        sockets.forEach(Socket::destroy);
        accepted.forEach(Socket::destroy);
        EventLog.waiting().until(() -> closed.get() >= sockets.size());
        servers.forEach(Loopback::closeAndWait);
        if (echo != null) {
            Loopback.closeAndWait(echo);
        }
    }
}
