package dev.loomnet.testing;

import dev.loomnet.net.ConnectionListener;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A server listening on an ephemeral port of {@code 127.0.0.1}, for a test's lifetime: it is listening when a
 * factory method returns, and {@link #close()} closes it, its connections and the clients made with
 * {@link #connect()}, and returns once all of them emitted {@code CLOSE}, so that nothing is left for
 * {@link LoomnetExtension} to report.
 * <pre>{@code
 * try (TestServer server = TestServer.echo()) {
 *     Socket client = server.connect();
 *     client.write("ping");
 *     ...
 * }
 * }</pre>
 * Close it in the test (try-with-resources, as above) or in an {@code @AfterEach} method, which runs before
 * {@link LoomnetExtension}'s check; not with JUnit's {@code @AutoClose}, which closes fields after that check, so
 * that what the server still holds then would be reported as a leak.
 */
public final class TestServer implements AutoCloseable {

    /** The address the server listens on: {@value}. */
    public static final String HOST = "127.0.0.1";

    /** How long {@link #close()} waits for everything to close at most: 10 s. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final Server server;
    private int port;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    /** The CLOSE of every client and every accepted connection, for {@link #close()} to wait for. */
    private final List<CompletableFuture<Boolean>> closes = new CopyOnWriteArrayList<>();

    private TestServer(Server server) {
        this.server = server;
    }

    /**
     * Starts a server that writes back every chunk it receives and ends when its client ends (Node's
     * {@code allowHalfOpen: false}, the default).
     *
     * @return the listening server
     */
    public static TestServer echo() {
        return start(socket -> socket.on(Socket.DATA, socket::write));
    }

    /**
     * Starts a server that calls {@code connectionListener} for every connection, as
     * {@code Net.createServer(connectionListener)}.
     *
     * @param connectionListener what to do with each accepted socket
     * @return the listening server
     */
    public static TestServer start(ConnectionListener connectionListener) {
        return listen(Net.createServer(connectionListener));
    }

    /**
     * Makes a server created by the test (with its own options, such as {@code Net.createServer(options, ...)} or
     * a TLS server) listen on an ephemeral port of {@value #HOST}, and waits for {@code LISTENING}.
     *
     * @param server a server that does not listen yet
     * @return the listening server
     * @throws AssertionError when it could not listen within {@link #CLOSE_WAIT}, with the cause
     */
    public static TestServer listen(Server server) {
        TestServer running = new TestServer(server);
        // An accepted socket emits nothing before its CONNECTION listeners returned: this one sees its CLOSE.
        server.on(Server.CONNECTION, running::track);
        CompletableFuture<@Nullable Void> listening = server.when(Server.LISTENING);
        server.listen(0, HOST);
        await(listening, "listening");
        running.port = Objects.requireNonNull(server.address(), "listening without an address").port();
        return running;
    }

    private void track(Socket socket) {
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        socket.on(Socket.CLOSE, closed::complete);
        closes.add(closed);
    }

    /**
     * Returns the server.
     *
     * @return the server, for its events and methods
     */
    public Server server() {
        return server;
    }

    /**
     * Returns the address the server listens on.
     *
     * @return {@value #HOST}
     */
    public String host() {
        return HOST;
    }

    /**
     * Returns the port the server listens on (chosen by the system).
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * Returns the address the server listens on, for code that takes a JDK address.
     *
     * @return {@value #HOST} and {@link #port()}
     */
    public InetSocketAddress address() {
        return new InetSocketAddress(HOST, port);
    }

    /**
     * Connects a new client to the server ({@code Net.connect(port(), host())}); {@link #close()} destroys it if
     * it is still open then. It connects in the background: add listeners right away (loomnet keeps its
     * {@code CONNECT}, {@code ERROR} and {@code CLOSE} for late listeners).
     *
     * @return the connecting socket
     */
    public Socket connect() {
        Socket client = Net.socket();
        track(client);
        clients.add(client);
        return client.connect(port, HOST);
    }

    /**
     * Returns the accepted connections that are still open.
     *
     * @return a snapshot, oldest first ({@link Server#openConnections()})
     */
    public List<Socket> connections() {
        return server.openConnections();
    }

    /**
     * Closes everything at once and waits up to {@link #CLOSE_WAIT} for it: shuts the server down with a grace
     * of zero ({@link Server#shutdown(Duration)}: it stops listening and destroys its open connections), destroys
     * the clients made with {@link #connect()}, and returns after the {@code CLOSE} of the server, of every
     * connection it accepted and of every client. Calling it again does nothing more. It returns once its own
     * {@code CLOSE} listeners ran, which were added first: a listener the test added later runs right after
     * them, on the socket's event sequence, so await it ({@link EventRecorder#awaitEvent}) rather than assume it.
     *
     * <p>Destroying a connection that has unread bytes resets it, so the other end may emit {@code ERROR}
     * ({@code ECONNRESET}). The open connections and the clients get an {@code ERROR} listener that ignores it
     * before anything is destroyed, so that the teardown reports no uncaught exception; an {@code ERROR} that a
     * client had before and that no listener of the test heard is ignored with it.
     *
     * @throws AssertionError when something did not close in time
     */
    @Override
    public void close() {
        server.openConnections().forEach(connection -> connection.on(Socket.ERROR, TestServer::ignore));
        CompletableFuture<@Nullable Void> serverClosed = server.shutdown(Duration.ZERO);
        clients.forEach(client -> client.on(Socket.ERROR, TestServer::ignore).destroy());
        List<CompletableFuture<?>> all = new ArrayList<>(closes);
        all.add(serverClosed);
        await(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), "close");
    }

    /** The teardown's resets (see {@link #close()}). */
    private static void ignore(Throwable error) {
    }

    private static void await(CompletableFuture<?> future, String what) {
        try {
            future.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the test server failed before '" + what + "'", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no '" + what + "' of the test server within " + CLOSE_WAIT.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for '" + what + "' of the test server", e);
        }
    }
}
