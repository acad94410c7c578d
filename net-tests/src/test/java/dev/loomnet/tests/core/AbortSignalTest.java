package dev.loomnet.tests.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.AbortController;
import dev.loomnet.net.AbortSignal;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.testing.TestServer;
import dev.loomnet.tests.Catalog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Node's {@code signal} option, after {@code test-net-server-listen-options-signal.js} and
 * {@code test-net-connect-abort-controller.js}: aborting closes a server and destroys a socket with
 * {@code ABORT_ERR}, whether the signal is aborted before, during or after {@code listen} or {@code connect}.
 */
class AbortSignalTest {

    private TestServer peer;

    @BeforeEach
    void listen() {
        peer = TestServer.echo();
    }

    @AfterEach
    void close() {
        peer.close();
    }

    private ConnectOptions.Builder toPeer() {
        return ConnectOptions.builder().port(peer.port()).host(TestServer.HOST);
    }

    /** Node's assertAbort: an {@code AbortError} and then {@code close}. */
    private static void assertAborted(EventLog log, @org.jspecify.annotations.Nullable Object reason) {
        log.awaitClosed();
        assertEquals(List.of("error:ABORT_ERR", "close:true"), log.events);
        NetException error = assertInstanceOf(NetException.class, log.errors.get(0));
        assertEquals("The operation was aborted", error.getMessage());
        assertSame(reason instanceof Throwable ? reason : null, error.getCause());
    }

    /** A server listening with {@code controller}'s signal, counting its {@code CLOSE}s in {@code closes}. */
    private static Server listening(AbortController controller, AtomicInteger closes) {
        Server server = Net.createServer().on(Server.CLOSE, closes::incrementAndGet);
        server.listen(ListenOptions.builder().port(0).host(TestServer.HOST).signal(controller.signal()).build());
        EventLog.waiting().until(server::listening);
        return server;
    }

    @Test
    @Catalog(26)
    void aborting_a_listening_server_closes_it_at_once() {
        AbortController controller = new AbortController();
        AtomicInteger closes = new AtomicInteger();
        Server server = listening(controller, closes);
        controller.abort();
        assertFalse(server.listening());
        EventLog.waiting().until(() -> closes.get() == 1);
        controller.abort();                               // twice: the server is not closed again
        assertEquals(1, closes.get());
    }

    @Test
    @Catalog(26)
    void a_server_given_an_aborted_signal_closes_without_listening() {
        AtomicInteger closes = new AtomicInteger();
        AtomicInteger listening = new AtomicInteger();
        Server server = Net.createServer().on(Server.CLOSE, closes::incrementAndGet);
        server.listen(ListenOptions.builder().port(0).host(TestServer.HOST).signal(AbortSignal.abort()).build(),
                listening::incrementAndGet);
        assertFalse(server.listening());
        EventLog.waiting().until(() -> closes.get() == 1);
        assertEquals(0, listening.get());
    }

    @Test
    @Catalog(26)
    void a_signal_aborted_after_the_server_closed_changes_nothing() {
        AbortController controller = new AbortController();
        AtomicInteger closes = new AtomicInteger();
        Server server = listening(controller, closes);
        server.close();
        EventLog.waiting().until(() -> closes.get() == 1);
        controller.abort();
        assertEquals(1, closes.get());
    }

    @Test
    @Catalog(71)
    void aborting_a_connected_socket_destroys_it_with_abort_err() {
        AbortController controller = new AbortController();
        Socket socket = Net.connect(toPeer().signal(controller.signal()).build());
        EventLog log = EventLog.withoutData(socket);
        EventLog.waiting().until(() -> log.events.contains("ready"));
        log.events.clear();
        controller.abort();
        assertTrue(socket.destroyed());
        log.awaitClosed();
        assertEquals(List.of("error:ABORT_ERR", "close:true"), log.events);
        NetException reason = assertInstanceOf(NetException.class, controller.signal().reason());
        assertEquals(NetException.ABORT_ERR, reason.code());
        assertEquals("This operation was aborted", reason.getMessage());
        assertSame(reason, log.errors.get(0).getCause());
    }

    @Test
    @Catalog(71)
    void aborting_right_after_connect_destroys_the_socket_whether_or_not_it_connected() {
        AbortController controller = new AbortController();
        Socket socket = Net.socket(SocketOptions.builder().signal(controller.signal()).build());
        EventLog log = EventLog.withoutData(socket);
        socket.connect(peer.port(), TestServer.HOST);
        controller.abort("why");
        log.awaitClosed();
        List<String> events = log.events;
        assertEquals(List.of("error:ABORT_ERR", "close:true"), events.subList(events.size() - 2, events.size()));
        assertNull(log.errors.get(0).getCause());          // the reason is no Throwable
    }

    @Test
    @Catalog(71)
    void connecting_with_an_aborted_signal_never_connects() {
        IllegalStateException reason = new IllegalStateException("stop");
        Socket socket = Net.connect(toPeer().signal(AbortSignal.abort(reason)).build());
        EventLog log = EventLog.withoutData(socket);
        assertAborted(log, reason);
        assertEquals(0, socket.bytesWritten());
    }

    @Test
    @Catalog(71)
    void a_socket_created_with_an_aborted_signal_is_destroyed_for_its_late_listeners() {
        AbortSignal signal = AbortSignal.abort();
        Socket socket = Net.socket(SocketOptions.builder().signal(signal).build());
        EventLog log = EventLog.withoutData(socket);
        assertAborted(log, signal.reason());
        socket.connect(peer.port(), TestServer.HOST);     // its signal is aborted: it stays destroyed
        assertTrue(socket.destroyed());
        assertEquals(List.of("error:ABORT_ERR", "close:true"), log.events);
    }

    @Test
    @Catalog(71)
    void aborting_inside_a_connect_listener_destroys_the_socket() {
        AbortController controller = new AbortController();
        Socket socket = Net.socket(SocketOptions.builder().signal(controller.signal()).build());
        List<String> events = new CopyOnWriteArrayList<>();
        socket.on(Socket.CONNECT, () -> {
            events.add("connect");
            controller.abort();
            events.add("destroyed:" + socket.destroyed());
        }).on(Socket.ERROR, e -> events.add("error:" + EventLog.code(e)))
                .on(Socket.CLOSE, hadError -> events.add("close:" + hadError));
        socket.connect(peer.port(), TestServer.HOST);
        EventLog.waiting().until(() -> events.size() == 4);
        assertEquals(List.of("connect", "destroyed:true", "error:ABORT_ERR", "close:true"), events);
    }

    @Test
    @Catalog(71)
    void one_signal_serves_many_sockets_and_lets_go_of_closed_ones() {
        AbortController controller = new AbortController();
        Socket ended = Net.connect(toPeer().signal(controller.signal()).build());
        EventLog endedLog = EventLog.withoutData(ended);
        EventLog.waiting().until(() -> endedLog.events.contains("ready"));
        ended.destroy();
        endedLog.awaitClosed();
        Socket open = Net.connect(toPeer().signal(controller.signal()).build());
        EventLog openLog = EventLog.withoutData(open);
        EventLog.waiting().until(() -> openLog.events.contains("ready"));
        controller.abort();
        openLog.awaitClosed();
        assertEquals(List.of("connect", "ready", "error:ABORT_ERR", "close:true"), openLog.events);
        assertEquals(List.of("connect", "ready", "close:false"), endedLog.events);
    }

    @Test
    @Catalog(71)
    void a_tls_socket_obeys_its_signal_too() {
        AbortSignal signal = AbortSignal.abort();
        Socket socket = Tls.connect(toPeer().signal(signal).build(), TlsOptions.builder().build());
        EventLog log = EventLog.withoutData(socket);
        assertAborted(log, signal.reason());
    }

    @Test
    @Catalog(71)
    void a_timeout_signal_destroys_the_socket_once_its_delay_has_passed() {
        AbortSignal signal = AbortSignal.timeout(Duration.ofMillis(300));
        Socket socket = Net.socket(SocketOptions.builder().signal(signal).build());
        EventLog log = EventLog.withoutData(socket);
        socket.connect(peer.port(), TestServer.HOST);
        log.awaitClosed();
        List<String> events = log.events;
        assertEquals(List.of("error:ABORT_ERR", "close:true"), events.subList(events.size() - 2, events.size()));
        NetException reason = assertInstanceOf(NetException.class, signal.reason());
        assertEquals(NetException.TIMEOUT_ERR, reason.code());
        assertEquals("The operation was aborted due to timeout", reason.getMessage());
        assertSame(reason, log.errors.get(0).getCause());
    }

    @Test
    void any_aborts_with_the_first_reason_of_its_signals() {
        AbortController first = new AbortController();
        AbortController second = new AbortController();
        AbortSignal any = AbortSignal.any(first.signal(), second.signal());
        assertFalse(any.aborted());
        second.abort("second");
        first.abort("first");
        assertEquals("second", any.reason());
        AbortSignal already = AbortSignal.any(new AbortController().signal(), AbortSignal.abort("done"));
        assertEquals("done", already.reason());
        assertFalse(AbortSignal.any().aborted());
        assertEquals(NetException.ERR_INVALID_ARG_TYPE,
                assertThrows(NetException.class, () -> AbortSignal.any(first.signal(), null)).code());
    }

    @Test
    void listeners_removed_by_the_thousand_never_run_and_the_ones_left_run_in_order() {
        AbortController controller = new AbortController();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        List<AbortSignal.Registration> registrations = new java.util.ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            registrations.add(controller.signal().onAbort(() -> ran.add(n)));
        }
        for (int i = 0; i < 10_000; i++) {
            if (i % 1000 != 0) {
                registrations.get(i).close();
            }
        }
        registrations.get(0).close();
        controller.abort();
        assertEquals(List.of(1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000), ran);
    }

    @Test
    void a_negative_timeout_is_refused_with_err_out_of_range() {
        NetException e = assertThrows(NetException.class, () -> AbortSignal.timeout(Duration.ofMillis(-1)));
        assertEquals(NetException.ERR_OUT_OF_RANGE, e.code());
        assertEquals(NetException.ERR_INVALID_ARG_TYPE,
                assertThrows(NetException.class, () -> AbortSignal.timeout(null)).code());
    }

    @Test
    void the_signal_keeps_its_first_reason_and_runs_each_listener_once() {
        AbortController controller = new AbortController();
        AbortSignal signal = controller.signal();
        assertFalse(signal.aborted());
        assertNull(signal.reason());
        signal.throwIfAborted();
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger removedRuns = new AtomicInteger();
        signal.onAbort(() -> {
            throw new IllegalStateException("a throwing listener does not stop the others");
        });
        signal.onAbort(runs::incrementAndGet);
        signal.onAbort(removedRuns::incrementAndGet).close();
        AtomicReference<Throwable> uncaught = new AtomicReference<>();
        Thread.UncaughtExceptionHandler before = Thread.currentThread().getUncaughtExceptionHandler();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> uncaught.set(e));
        try {
            controller.abort("first");
        } finally {
            Thread.currentThread().setUncaughtExceptionHandler(before);
        }
        controller.abort("second");
        assertTrue(signal.aborted());
        assertEquals("first", signal.reason());
        assertEquals(1, runs.get());
        assertEquals(0, removedRuns.get());
        assertInstanceOf(IllegalStateException.class, uncaught.get());
        signal.onAbort(runs::incrementAndGet);            // aborted already: runs at once
        assertEquals(2, runs.get());
        NetException thrown = assertThrows(NetException.class, signal::throwIfAborted);
        assertEquals(NetException.ABORT_ERR, thrown.code());
        IllegalStateException own = new IllegalStateException("own");
        assertSame(own, assertThrows(IllegalStateException.class, () -> AbortSignal.abort(own).throwIfAborted()));
    }

    @Test
    void null_signals_and_reasons_are_refused_with_err_invalid_arg_type() {
        for (Runnable call : List.<Runnable>of(
                () -> SocketOptions.builder().signal(null),
                () -> ConnectOptions.builder().signal(null),
                () -> ListenOptions.builder().signal(null),
                () -> new AbortController().abort(null),
                () -> AbortSignal.abort(null),
                () -> new AbortController().signal().onAbort(null))) {
            assertEquals(NetException.ERR_INVALID_ARG_TYPE, assertThrows(NetException.class, call::run).code());
        }
    }
}
