package dev.loomnet.tests.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loomnet.net.Callback;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.ConnectionListener;
import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * In Java a {@code null} listener or callback is a bug at the call site: every overload of {@link Net},
 * {@link Socket} and {@link Server} that takes one throws {@code ERR_INVALID_ARG_TYPE} at the call, before it
 * does anything (no socket connects, no server listens, no write is queued or fails the socket).
 */
class NullListenerTest {

    private static final int PORT = 1;
    private static final Path PATH = Path.of("/nonexistent/loomnet-null-listener.sock");

    private static Named<Consumer<Void>> call(String name, Runnable call) {
        return Named.of(name, unused -> call.run());
    }

    static Stream<Named<Consumer<Void>>> netCalls() {
        ConnectOptions options = ConnectOptions.builder().port(PORT).build();
        return Stream.of(
                call("Net.connect(port, host, null)", () -> Net.connect(PORT, Loopback.V4, null)),
                call("Net.connect(path, null)", () -> Net.connect(PATH, null)),
                call("Net.connect(options, null)", () -> Net.connect(options, null)),
                call("Net.createConnection(port, host, null)", () -> Net.createConnection(PORT, Loopback.V4, null)),
                call("Net.createConnection(path, null)", () -> Net.createConnection(PATH, null)),
                call("Net.createConnection(options, null)", () -> Net.createConnection(options, null)),
                call("Net.createServer(null)", () -> Net.createServer((ConnectionListener) null)),
                call("Net.createServer(options, null)", () -> Net.createServer(ServerOptions.DEFAULTS, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("netCalls")
    void net_rejects_a_null_listener(Consumer<Void> call) {
        assertInvalidArgType(() -> call.accept(null));
    }

    static Stream<Named<Consumer<Socket>>> socketCalls() {
        byte[] bytes = {1};
        return Stream.of(
                Named.of("connect(port, host, null)", s -> s.connect(PORT, Loopback.V4, null)),
                Named.of("connect(path, null)", s -> s.connect(PATH, null)),
                Named.of("connect(options, null)", s -> s.connect(ConnectOptions.builder().port(PORT).build(), null)),
                Named.of("write(bytes, null)", s -> s.write(bytes, (Callback) null)),
                Named.of("write(string, null)", s -> s.write("x", (Callback) null)),
                Named.of("write(string, charset, null)", s -> s.write("x", StandardCharsets.UTF_8, null)),
                Named.of("end(null)", s -> s.end((Callback) null)),
                Named.of("end(bytes, null)", s -> s.end(bytes, null)),
                Named.of("end(string, charset, null)", s -> s.end("x", StandardCharsets.UTF_8, null)),
                Named.of("setTimeout(timeout, null)", s -> s.setTimeout(Duration.ofSeconds(1), null)),
                Named.of("setTimeout(0, null)", s -> s.setTimeout(Duration.ZERO, null)),
                Named.of("onceDrain(null)", s -> s.onceDrain(null)),
                Named.of("on(CONNECT, null)", s -> s.on(Socket.CONNECT, null)),
                Named.of("once(CLOSE, null)", s -> s.once(Socket.CLOSE, null)));
    }

    @ParameterizedTest(name = "socket.{0}")
    @MethodSource("socketCalls")
    void a_socket_rejects_a_null_listener_and_stays_as_it_was(Consumer<Socket> call) {
        Socket socket = Net.socket();
        assertInvalidArgType(() -> call.accept(socket));
        assertFalse(socket.connecting(), "connecting");
        assertFalse(socket.destroyed(), "destroyed");
        assertEquals(0, socket.writableLength());
        assertEquals(0, socket.listenerCount(Socket.TIMEOUT));
        socket.destroy();
    }

    static Stream<Named<Consumer<Server>>> serverCalls() {
        return Stream.of(
                Named.of("listen(port, null)", s -> s.listen(0, (Listener) null)),
                Named.of("listen(port, host, null)", s -> s.listen(0, Loopback.V4, (Listener) null)),
                Named.of("listen(port, host, backlog, null)", s -> s.listen(0, Loopback.V4, 8, null)),
                Named.of("listen(path, null)", s -> s.listen(PATH, null)),
                Named.of("listen(options, null)", s -> s.listen(ListenOptions.builder().port(0).host(Loopback.V4)
                        .build(), null)),
                Named.of("listen(handle, null)", NullListenerTest::listenHandleWithNull),
                Named.of("close(null)", s -> s.close(null)),
                Named.of("getConnections(null)", s -> s.getConnections(null)),
                Named.of("on(LISTENING, null)", s -> s.on(Server.LISTENING, null)));
    }

    private static void listenHandleWithNull(Server server) {
        try (ServerSocketChannel channel = ServerSocketChannel.open()) {
            channel.bind(new InetSocketAddress(Loopback.V4, 0));
            server.listen(channel, null);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "server.{0}")
    @MethodSource("serverCalls")
    void a_server_rejects_a_null_listener_and_does_not_listen(Consumer<Server> call) {
        Server server = Net.createServer();
        assertInvalidArgType(() -> call.accept(server));
        assertFalse(server.listening());
        Loopback.closeAndWait(server);
    }

    private static void assertInvalidArgType(Runnable call) {
        NetException e = assertThrows(NetException.class, call::run);
        assertEquals(NetException.ERR_INVALID_ARG_TYPE, e.code(), e.getMessage());
    }
}
