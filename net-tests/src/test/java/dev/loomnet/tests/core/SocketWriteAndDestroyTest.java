package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Callback;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.Catalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * write/end/destroy errors and destroy idempotence (catalog #57, #58, #85, #86, #87, #98, #99, #100, #102, #116, #118,
 * #126). The tests with a connection run over every {@link Transport}, the one that holds the connect in its lookup
 * over TCP only; the tests of a socket that never connects need no server.
 */
class SocketWriteAndDestroyTest {

    @TempDir
    Path dir;

    /** The echo server of the test, if it has one. */
    private @Nullable Server server;

    /** Starts the echo server on {@code transport}; first in a test, as it may skip the test ({@link Transport}). */
    private void listen(Transport transport) {
        server = transport.listen(Net.createServer(s -> s.on(Socket.DATA, s::write)), dir);
    }

    private Server echo() {
        return Objects.requireNonNull(server, "listen(transport) first");
    }

    @AfterEach
    void close() {
        if (server != null) {
            Loopback.closeAndWait(server);
        }
    }

    /** The server's socket, writing to a client that went away: exactly one ECONNRESET or EPIPE, then CLOSE(true). */
    private static void assertOneResetOrPipeErrorThenClose(List<String> serverEvents) {
        await().atMost(EventLog.WAIT).until(() -> serverEvents.stream().anyMatch(e -> e.startsWith("close:")));
        await().during(Duration.ofMillis(100)).atMost(EventLog.WAIT).until(() -> serverEvents.size() == 2);
        assertEquals(2, serverEvents.size(), serverEvents::toString);
        assertTrue(serverEvents.get(0).equals("error:ECONNRESET") || serverEvents.get(0).equals("error:EPIPE"),
                serverEvents::toString);
        assertEquals("close:true", serverEvents.get(1));
    }

    /** A client connected to the echo server, with a log attached before connecting; returns once CONNECT ran. */
    private Socket connected(Transport transport, EventLog[] logOut) {
        Socket s = Net.socket();
        logOut[0] = EventLog.of(s);
        transport.connect(s, echo());
        await().atMost(EventLog.WAIT).until(() -> logOut[0].events.contains("ready"));
        return s;
    }

    @Test
    void write_before_connect_gives_err_socket_closed_to_the_callback_then_to_error() {
        // Node: a write with no handle and no connect in progress fails; the socket is destroyed at once
        Socket s = Net.socket();
        EventLog log = EventLog.of(s);
        boolean result = s.write("early", e -> log.events.add("callback:" + EventLog.code(e)));
        assertFalse(result);
        assertTrue(s.destroyed(), "destroyed before write returns");
        log.awaitClosed();
        assertEquals(List.of("callback:ERR_SOCKET_CLOSED", "error:ERR_SOCKET_CLOSED", "close:true"), log.events);
        assertEquals("Socket is closed", log.errors.get(0).getMessage());
    }

    @Test
    void corked_writes_before_connect_fail_at_uncork_when_no_connect_came() {
        Socket s = Net.socket();
        EventLog log = EventLog.of(s);
        s.cork();
        s.write("one", e -> log.events.add("callback one:" + EventLog.code(e)));
        s.write("two", e -> log.events.add("callback two:" + EventLog.code(e)));
        assertEquals(6, s.writableLength());
        assertFalse(s.destroyed(), "corked writes wait");
        s.uncork();
        log.awaitClosed();
        assertEquals(List.of("callback one:ERR_SOCKET_CLOSED", "callback two:ERR_SOCKET_CLOSED",
                "error:ERR_SOCKET_CLOSED", "close:true"), log.events);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog({87, 88})
    void corked_writes_before_connect_are_sent_once_connected(Transport transport) {
        listen(transport);
        Socket s = Net.socket();
        EventLog log = EventLog.of(s);
        s.cork();
        s.write("corked, ");
        long beforeConnect = s.bytesWritten();                  // #87: data queued before connect() counts
        transport.connect(s, echo());
        s.write("then connecting");                             // while connecting: queued behind
        s.uncork();
        await().atMost(EventLog.WAIT).until(() -> log.receivedText().equals("corked, then connecting"));
        s.end();
        log.awaitClosed();
        assertEquals(List.of("connect", "ready", "data"), log.folded().subList(0, 3));
        assertEquals("close:false", log.events.get(log.events.size() - 1));
        assertEquals(8, beforeConnect);
        assertEquals(23, s.bytesWritten(), "each byte counted once, when written, not again when flushed");
    }

    @Test
    void end_before_connect_with_corked_writes_fails_them_and_its_callback_with_err_socket_closed() {
        Socket s = Net.socket();
        EventLog log = EventLog.of(s);
        s.cork();
        s.write("x", e -> log.events.add("write callback:" + EventLog.code(e)));
        s.end(e -> log.events.add("end callback:" + EventLog.code(e)));
        log.awaitClosed();
        assertEquals(List.of("write callback:ERR_SOCKET_CLOSED", "end callback:ERR_SOCKET_CLOSED",
                "error:ERR_SOCKET_CLOSED", "close:true"), log.events);
    }

    @Test
    void the_output_stream_of_a_socket_never_connected_throws_and_the_socket_reports_err_socket_closed() {
        Socket s = Net.socket();
        EventLog log = EventLog.of(s);
        assertThrows(IOException.class, () -> s.outputStream().write(new byte[] {1, 2, 3}));
        log.awaitClosed();
        assertEquals(List.of("error:ERR_SOCKET_CLOSED", "close:true"), log.events);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(100)
    void write_after_end_gives_err_stream_write_after_end_to_the_callback_then_to_error(Transport transport) {   // #100
        listen(transport);
        // end() and write() inside a listener of the socket: no other event of it (such as the END that the
        // echo server's reply would cause) can run in between, as in Node's single thread.
        Socket s = Net.socket();
        EventLog[] log = {EventLog.of(s)};
        AtomicReference<Boolean> result = new AtomicReference<>();
        transport.connect(s, echo(), () -> {
            s.end();
            result.set(s.write("late", e -> log[0].events.add("callback:" + EventLog.code(e))));
        });
        log[0].awaitClosed();
        assertEquals(false, result.get());
        List<String> tail = log[0].events.stream()
                .filter(e -> e.startsWith("callback:") || e.startsWith("error:") || e.startsWith("close:")).toList();
        assertEquals(List.of("callback:ERR_STREAM_WRITE_AFTER_END", "error:ERR_STREAM_WRITE_AFTER_END", "close:true"),
                tail);
        assertEquals("write after end", log[0].errors.get(0).getMessage());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(98)
    void write_after_destroy_gives_err_stream_destroyed_to_the_callback_and_no_error(Transport transport) {      // #98
        listen(transport);
        EventLog[] log = new EventLog[1];
        Socket s = connected(transport, log);
        AtomicReference<Throwable> cb = new AtomicReference<>();
        s.destroy();
        assertFalse(s.write("late".getBytes(StandardCharsets.UTF_8), cb::set));
        await().atMost(EventLog.WAIT).until(() -> cb.get() != null);
        log[0].awaitClosed();
        NetException e = (NetException) cb.get();
        assertEquals(NetException.ERR_STREAM_DESTROYED, e.code());
        assertEquals("Cannot call write after a stream was destroyed", e.getMessage());
        assertEquals(List.of("connect", "ready", "close:false"), log[0].events);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(85)
    void write_null_throws_err_stream_null_values_synchronously_and_emits_nothing(Transport transport) {        // #85
        listen(transport);
        EventLog[] log = new EventLog[1];
        Socket s = connected(transport, log);
        Callback cb = e -> log[0].events.add("callback");
        List<Executable> calls = List.of(
                () -> s.write((byte[]) null),
                () -> s.write((byte[]) null, cb),
                () -> s.write((String) null),
                () -> s.write((String) null, cb),
                () -> s.write((String) null, StandardCharsets.UTF_8),
                () -> s.write((String) null, StandardCharsets.UTF_8, cb));
        for (Executable call : calls) {
            NetException e = assertThrows(NetException.class, call);
            assertEquals(NetException.ERR_STREAM_NULL_VALUES, e.code());
            assertEquals("May not write null values to stream", e.getMessage());
        }
        assertTrue(s.writable());
        s.end("after");
        log[0].awaitClosed();
        assertEquals("after", log[0].receivedText());
        assertFalse(log[0].events.contains("callback"));
        assertTrue(log[0].errors.isEmpty());
    }

    @Test
    @Catalog(58)
    void destroy_on_a_never_connected_socket_still_emits_close() {                    // #58
        Socket s = Net.socket();
        EventLog log = EventLog.of(s);
        assertSame(s, s.destroy());
        log.awaitClosed();
        assertEquals(List.of("close:false"), log.events);
        assertTrue(s.destroyed());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(114)
    void end_with_a_callback_then_destroy_before_FINISH_fails_the_callback_once_before_close(Transport transport) {
        listen(transport);
        // Found by ChaosTest. end()'s FIN left at once and took the callback along, the
        // destroy() came before the FINISH task, and that task, finding the socket closed, dropped the callback.
        // Node fails pending end callbacks with ERR_STREAM_DESTROYED when the stream is destroyed.
        Socket s = Net.socket();
        EventLog log = EventLog.of(s);
        transport.connect(s, echo(), () -> {
            s.end(e -> log.events.add("callback:" + EventLog.code(e)));
            s.destroy();
        });
        log.awaitClosed();
        await().atMost(EventLog.WAIT).until(() -> log.events.stream().filter(e -> e.startsWith("callback:")).count() >= 1);
        assertEquals(List.of("callback:" + NetException.ERR_STREAM_DESTROYED, "close:false"), log.events.stream()
                .filter(e -> e.startsWith("callback:") || e.startsWith("close:") || e.equals("finish")).toList());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog({98, 127})
    void destroy_twice_closes_once_and_returns_the_socket(Transport transport) {                         // #98, #127
        listen(transport);
        EventLog[] log = new EventLog[1];
        Socket s = connected(transport, log);
        assertSame(s, s.destroy().destroy());
        log[0].awaitClosed();
        s.destroy();
        await().during(Duration.ofMillis(100)).atMost(EventLog.WAIT)
                .until(() -> log[0].events.stream().filter(e -> e.startsWith("close:")).count() == 1);
        assertEquals(List.of("connect", "ready", "close:false"), log[0].events);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void destroy_with_an_error_emits_that_error_then_close_true(Transport transport) {
        listen(transport);
        EventLog[] log = new EventLog[1];
        Socket s = connected(transport, log);
        IllegalStateException cause = new IllegalStateException("mine");
        s.destroy(cause);
        s.destroy(new IllegalStateException("second, ignored"));
        log[0].awaitClosed();
        assertEquals(List.of("connect", "ready", "error:IllegalStateException", "close:true"), log[0].events);
        assertSame(cause, log[0].errors.get(0));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(57)
    void destroy_right_after_connect_inside_a_listener_gives_neither_connect_nor_error(Transport transport) {   // #57
        listen(transport);
        List<EventLog> logs = new CopyOnWriteArrayList<>();
        Server other = Net.createServer();
        // Inside a listener the new socket's events are held until the listener returns (Node's next tick).
        other.on(Server.LISTENING, () -> {
            Socket s = Net.socket();
            logs.add(EventLog.of(s));
            transport.connect(s, echo());
            s.destroy();
        });
        other.listen(0, Loopback.V4);
        await().atMost(EventLog.WAIT).until(() -> logs.size() == 1);
        logs.get(0).awaitClosed();
        assertEquals(List.of("close:false"), logs.get(0).events);
        Loopback.closeAndWait(other);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"TCP4", "TCP6"})
    @Catalog(99)
    void a_write_while_connecting_then_destroy_gives_err_socket_closed_before_connection_and_no_connect(
            Transport transport) throws Exception {
        listen(transport);
        // #99, while a lookup is pending (Node's test connects to "localhost"): the socket is surely connecting
        CountDownLatch lookup = new CountDownLatch(1);
        Socket s = Net.socket();
        EventLog log = EventLog.of(s);
        transport.connectHeld(s, echo(), lookup);
        s.write("queued", e -> log.events.add("callback:" + EventLog.code(e)));
        s.destroy();
        lookup.countDown();
        log.awaitClosed();
        await().during(Duration.ofMillis(100)).atMost(EventLog.WAIT).until(() -> log.events.size() == 2);
        assertEquals(List.of("callback:ERR_SOCKET_CLOSED_BEFORE_CONNECTION", "close:false"), log.events);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(99)
    void writes_while_connecting_stay_queued_until_connect_even_after_the_handshake_and_destroy_then_sends_nothing(
            Transport transport) {
        // #99 with an IP literal: the handshake finishes while the listener that made the socket still runs, so
        // its CONNECT waits; the writes must wait with it, and destroy() in that window is "before connection"
        AtomicLong received = new AtomicLong();
        List<String> serverSide = new CopyOnWriteArrayList<>();
        Server counting = transport.listen(Net.createServer(c -> c.on(Socket.DATA, chunk -> received.addAndGet(
                chunk.length)).on(Socket.CLOSE, hadError -> serverSide.add("close:" + hadError))), dir);
        List<EventLog> logs = new CopyOnWriteArrayList<>();
        List<Boolean> connectingAtDestroy = new CopyOnWriteArrayList<>();
        Server other = Net.createServer();
        other.on(Server.LISTENING, () -> {
            Socket s = Net.socket();
            EventLog log = EventLog.of(s);
            logs.add(log);
            transport.connect(s, counting);
            s.write("early", e -> log.events.add("callback:" + EventLog.code(e)));
            await().atMost(EventLog.WAIT).until(() -> s.address() != null);    // the handshake is done
            s.write("late", e -> log.events.add("callback:" + EventLog.code(e)));
            connectingAtDestroy.add(s.connecting());
            s.destroy();
        });
        try {
            other.listen(0, Loopback.V4);
            await().atMost(EventLog.WAIT).until(() -> logs.size() == 1);
            logs.get(0).awaitClosed();
            await().atMost(EventLog.WAIT).until(() -> serverSide.size() == 1);
            assertEquals(List.of(true), connectingAtDestroy);
            assertEquals(List.of("callback:ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
                    "callback:ERR_SOCKET_CLOSED_BEFORE_CONNECTION", "close:false"), logs.get(0).events);
            assertEquals(0, received.get(), "bytes sent by a socket destroyed before its CONNECT");
        } finally {
            Loopback.closeAndWait(other);
            Loopback.closeAndWait(counting);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(99)
    void writes_while_connecting_go_out_with_connect_before_what_the_connect_listener_writes(
            Transport transport) {                                                                        // #99
        listen(transport);
        Server other = Net.createServer();
        List<EventLog> logs = new CopyOnWriteArrayList<>();
        other.on(Server.LISTENING, () -> {
            Socket s = Net.socket();
            logs.add(EventLog.of(s));
            transport.connect(s, echo(), () -> s.end("three"));
            s.write("one,");
            await().atMost(EventLog.WAIT).until(() -> s.address() != null);    // the handshake is done
            s.write("two,");
        });
        try {
            other.listen(0, Loopback.V4);
            await().atMost(EventLog.WAIT).until(() -> logs.size() == 1);
            logs.get(0).awaitClosed();
            assertEquals("one,two,three", logs.get(0).receivedText());
            assertEquals("connect", logs.get(0).events.get(0));
        } finally {
            Loopback.closeAndWait(other);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void end_with_a_callback_after_finish_gives_err_stream_already_finished_and_after_destroy_err_stream_destroyed(
            Transport transport) {
        listen(transport);
        // Node's Writable.end(cb): finished is checked before destroyed; neither emits ERROR
        EventLog[] log = new EventLog[1];
        Socket s = connected(transport, log);
        List<String> results = new CopyOnWriteArrayList<>();
        s.end(e -> results.add("first:" + (e == null ? "null" : EventLog.code(e))));
        await().atMost(EventLog.WAIT).until(() -> log[0].events.contains("finish"));
        s.end(e -> results.add("after finish:" + EventLog.code(e) + ":" + e.getMessage()));
        log[0].awaitClosed();
        s.end(e -> results.add("after close:" + EventLog.code(e)));
        await().atMost(EventLog.WAIT).until(() -> results.size() == 3);     // another socket's queue follows
        Socket never = Net.socket();
        EventLog neverLog = EventLog.of(never);
        never.destroy();
        never.end(e -> results.add("after destroy:" + EventLog.code(e) + ":" + e.getMessage()));
        await().atMost(EventLog.WAIT).until(() -> results.size() == 4);
        assertEquals(List.of("first:null",
                "after finish:ERR_STREAM_ALREADY_FINISHED:Cannot call end after a stream was finished",
                "after close:ERR_STREAM_ALREADY_FINISHED",
                "after destroy:ERR_STREAM_DESTROYED:Cannot call end after a stream was destroyed"), results);
        assertTrue(log[0].errors.isEmpty(), log[0].events::toString);
        neverLog.awaitClosed();
        assertTrue(neverLog.errors.isEmpty(), neverLog.events::toString);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(86)
    void with_high_water_mark_0_a_write_while_connecting_returns_false_and_is_still_sent(Transport transport) {  // #86
        listen(transport);
        Socket s = Net.socket(SocketOptions.builder().highWaterMark(0).build());
        EventLog log = EventLog.of(s);
        transport.connect(s, echo());
        assertFalse(s.write("x"));
        s.end();
        log.awaitClosed();
        assertEquals("x", log.receivedText());
        assertEquals("close:false", log.events.get(log.events.size() - 1));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(118)
    void a_client_destroying_while_the_server_writes_10_mb_gives_the_server_socket_exactly_one_error(
            Transport transport) { // #118
        List<String> serverEvents = new CopyOnWriteArrayList<>();
        List<Throwable> serverErrors = new CopyOnWriteArrayList<>();
        Server big = transport.listen(Net.createServer(c -> {
            c.on(Socket.ERROR, e -> {
                serverErrors.add(e);
                serverEvents.add("error:" + EventLog.code(e));
            }).on(Socket.CLOSE, hadError -> serverEvents.add("close:" + hadError));
            c.write(new byte[10 * 1024 * 1024]);
        }), dir);
        try {
            Socket s = Net.socket();
            EventLog log = EventLog.withoutData(s);
            s.on(Socket.DATA, chunk -> s.destroy());
            transport.connect(s, big);
            log.awaitClosed();
            assertOneResetOrPipeErrorThenClose(serverEvents);
            assertEquals(1, serverErrors.size());
            assertTrue(log.errors.isEmpty(), log.events::toString);
        } finally {
            Loopback.closeAndWait(big);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(102)
    void a_server_write_after_both_directions_closed_fails_its_callback_and_emits_no_error(
            Transport transport) {                                                                        // #102
        AtomicReference<Throwable> callback = new AtomicReference<>();
        List<String> serverEvents = new CopyOnWriteArrayList<>();
        Server writer = transport.listen(Net.createServer(c -> c.resume()
                .on(Socket.ERROR, e -> serverEvents.add("error:" + EventLog.code(e)))
                .on(Socket.CLOSE, hadError -> {
                    serverEvents.add("close:" + hadError);
                    c.write("too late", e -> {
                        serverEvents.add("callback");
                        callback.set(e);
                    });
                })), dir);
        try {
            Socket s = Net.socket();
            EventLog log = EventLog.of(s);
            transport.connect(s, writer, s::end);
            log.awaitClosed();
            await().atMost(EventLog.WAIT).until(() -> serverEvents.contains("callback"));
            await().during(Duration.ofMillis(100)).atMost(EventLog.WAIT).until(() -> serverEvents.size() == 2);
            assertEquals(List.of("close:false", "callback"), serverEvents);
            assertInstanceOf(NetException.class, callback.get());
        } finally {
            Loopback.closeAndWait(writer);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(126)
    void a_client_that_pauses_then_destroys_while_the_server_writes_20_mb_and_ends_gives_one_error_then_close(
            Transport transport) {
        // #126
        List<String> serverEvents = new CopyOnWriteArrayList<>();
        Server big = transport.listen(Net.createServer(c -> {
            c.on(Socket.ERROR, e -> serverEvents.add("error:" + EventLog.code(e)))
                    .on(Socket.CLOSE, hadError -> serverEvents.add("close:" + hadError));
            c.end(new byte[20 * 1024 * 1024]);
        }), dir);
        try {
            Socket s = Net.socket();
            EventLog log = EventLog.withoutData(s);
            AtomicReference<Socket> pausedReturn = new AtomicReference<>();
            s.on(Socket.DATA, chunk -> {
                if (pausedReturn.get() == null) {
                    pausedReturn.set(s.pause());
                }
            });
            transport.connect(s, big);
            await().atMost(EventLog.WAIT).until(() -> pausedReturn.get() != null);
            assertSame(s, pausedReturn.get());
            s.destroy();
            log.awaitClosed();
            assertOneResetOrPipeErrorThenClose(serverEvents);
        } finally {
            Loopback.closeAndWait(big);
        }
    }
}
