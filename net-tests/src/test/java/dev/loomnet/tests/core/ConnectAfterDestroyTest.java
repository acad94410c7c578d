package dev.loomnet.tests.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.TestServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code connect} on a socket that was destroyed and has not emitted its {@code CLOSE} yet (a write before
 * {@code connect} destroys it with {@code ERR_SOCKET_CLOSED}, as in Node): as Node's {@code connect} on a
 * destroyed socket ({@code _undestroy}), it connects again, after the destroy's {@code ERROR} and
 * {@code CLOSE}. Whether that {@code CLOSE} was already emitted when {@code connect} is called must not matter:
 * it used to decide between an {@code ERR_INVALID_STATE} thrown by {@code connect} and a reconnect.
 */
class ConnectAfterDestroyTest {

    private TestServer server;
    private int port;

    @BeforeEach
    void listen() {
        server = TestServer.echo();
        port = server.port();
    }

    @AfterEach
    void close() {
        server.close();
    }

    /**
     * Runs {@code steps} on a new socket with a log attached, waits until it is connected again, destroys it
     * and returns the log once that close came too.
     */
    private static EventLog reconnected(java.util.function.BiConsumer<Socket, EventLog> steps) {
        Socket s = Net.socket();
        EventLog log = EventLog.withoutData(s);
        steps.accept(s, log);
        EventLog.waiting().until(() -> log.events.contains("ready") || log.events.size() > 5);
        s.destroy();
        EventLog.waiting().until(() -> log.events.stream().filter(e -> e.startsWith("close:")).count() == 2
                || log.events.size() > 6);
        return log;
    }

    @Test
    void write_before_connect_then_connect_from_a_plain_thread_reconnects_after_the_close_every_time() {
        for (int i = 0; i < 50; i++) {
            EventLog log = reconnected((s, l) -> {
                s.write("x", e -> l.events.add("callback:" + EventLog.code(e)));
                s.connect(port, Loopback.V4);
            });
            assertEquals(List.of("callback:ERR_SOCKET_CLOSED", "error:ERR_SOCKET_CLOSED", "close:true", "connect",
                    "ready", "close:false"), log.events, "round " + i);
        }
    }

    @Test
    void write_before_connect_then_connect_inside_a_listener_reconnects_after_the_close() {
        // Inside another emitter's listener the new socket's events wait until the listener returns, so its
        // CLOSE has surely not been emitted when connect is called: this used to throw ERR_INVALID_STATE.
        AtomicReference<Socket> socket = new AtomicReference<>();
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Server other = Net.createServer().on(Server.LISTENING, () -> {
            Socket s = Net.socket();
            s.on(Socket.ERROR, e -> events.add("error:" + EventLog.code(e)))
                    .on(Socket.CLOSE, hadError -> events.add("close:" + hadError))
                    .on(Socket.CONNECT, () -> events.add("connect"))
                    .on(Socket.READY, () -> events.add("ready"));
            s.write("x", e -> events.add("callback:" + EventLog.code(e)));
            try {
                s.connect(port, Loopback.V4);
                assertTrue(s.connecting(), "connecting from the call on, as after Node's _undestroy");
            } catch (RuntimeException | Error e) {
                thrown.set(e);
            }
            socket.set(s);
        }).listen(0, Loopback.V4);
        EventLog.waiting().until(() -> socket.get() != null);
        EventLog.waiting().until(() -> events.contains("ready") || events.size() > 5 || thrown.get() != null);
        socket.get().destroy();
        Loopback.closeAndWait(other);
        assertEquals(null, thrown.get());
        EventLog.waiting().until(() -> events.size() >= 6);
        assertEquals(List.of("callback:ERR_SOCKET_CLOSED", "error:ERR_SOCKET_CLOSED", "close:true", "connect",
                "ready", "close:false"), events);
    }

    @Test
    void destroy_then_connect_reconnects_after_the_close_every_time() {
        for (int i = 0; i < 50; i++) {
            EventLog log = reconnected((s, l) -> {
                s.destroy();
                s.connect(port, Loopback.V4);
            });
            assertEquals(List.of("close:false", "connect", "ready", "close:false"), log.events, "round " + i);
        }
    }

    @Test
    void a_second_connect_while_the_first_waits_for_the_close_throws_err_invalid_state() {
        Socket s = Net.socket();
        EventLog log = EventLog.withoutData(s);
        s.destroy();
        s.connect(port, Loopback.V4);
        NetException e = assertThrows(NetException.class, () -> s.connect(port, Loopback.V4));
        assertEquals(NetException.ERR_INVALID_STATE, e.code());
        EventLog.waiting().until(() -> log.events.contains("ready"));
        s.destroy();
        log.awaitClosed();
        EventLog.waiting().until(() -> log.events.size() == 4);
        assertEquals(List.of("close:false", "connect", "ready", "close:false"), log.events);
    }

    @Test
    void destroy_while_a_connect_waits_for_the_close_cancels_it() {
        AtomicReference<EventLog> log = new AtomicReference<>();
        Server other = Net.createServer().on(Server.LISTENING, () -> {
            Socket s = Net.socket();                      // its events wait until this listener returned
            EventLog l = EventLog.withoutData(s);
            s.destroy();
            s.connect(port, Loopback.V4);
            s.destroy();
            log.set(l);
        }).listen(0, Loopback.V4);
        EventLog.waiting().until(() -> log.get() != null);
        log.get().awaitClosed();
        Loopback.closeAndWait(other);
        EventLog.waiting().during(java.time.Duration.ofMillis(200)).until(() -> log.get().events.size() == 1);
        assertEquals(List.of("close:false"), log.get().events);
    }
}
