package dev.loomnet.tests.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.AttemptListener;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.LookupListener;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.UncaughtExceptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** {@code emitter.when(event)}: Node's {@code events.once(emitter, name)} as a {@code CompletableFuture}. */
class WhenTest {

    private static final long SECONDS = 10;

    @Test
    void completes_with_the_value_of_the_next_emission() throws Exception {
        Server server = Net.createServer(s -> s.end("hello")).listen(0, Loopback.V4);
        assertNull(server.when(Server.LISTENING).get(SECONDS, TimeUnit.SECONDS));
        Socket client = Net.connect(server.address().port(), Loopback.V4);
        CompletableFuture<byte[]> data = client.when(Socket.DATA);
        CompletableFuture<Boolean> close = client.when(Socket.CLOSE);
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), data.get(SECONDS, TimeUnit.SECONDS));
        assertEquals(false, close.get(SECONDS, TimeUnit.SECONDS));
        Loopback.closeAndWait(server);
    }

    @Test
    void completes_for_an_event_that_already_fired_unheard() throws Exception {
        Server server = Net.createServer(s -> s.end("hi")).listen(0, Loopback.V4);
        server.when(Server.LISTENING).get(SECONDS, TimeUnit.SECONDS);
        Socket client = Net.connect(server.address().port(), Loopback.V4).resume();
        EventLog.waiting().until(client::destroyed);
        assertNull(client.when(Socket.CONNECT).get(SECONDS, TimeUnit.SECONDS));
        assertNull(client.when(Socket.END).get(SECONDS, TimeUnit.SECONDS));
        assertEquals(false, client.when(Socket.CLOSE).get(SECONDS, TimeUnit.SECONDS));
        server.close();
        assertNull(server.when(Server.CLOSE).get(SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void carries_the_arguments_of_a_multi_argument_event_as_a_record() throws Exception {
        Server server = Net.createServer(Socket::end).listen(0, Loopback.V4);
        int port = server.address().port();
        Socket client = Net.connect(ConnectOptions.builder().host("when.test").port(port)
                .lookup((host, family) -> List.of(new Lookup.Address(Loopback.V4, 4))).build());
        LookupListener.Result lookup = client.when(Socket.LOOKUP).get(SECONDS, TimeUnit.SECONDS);
        assertEquals(new LookupListener.Result(null, Loopback.V4, 4, "when.test"), lookup);
        AttemptListener.Attempt attempt = client.when(Socket.CONNECTION_ATTEMPT).get(SECONDS, TimeUnit.SECONDS);
        assertEquals(new AttemptListener.Attempt(Loopback.V4, port, 4, null), attempt);
        client.resume();
        client.when(Socket.CLOSE).get(SECONDS, TimeUnit.SECONDS);
        Loopback.closeAndWait(server);
    }

    @Test
    void fails_with_the_error_when_error_comes_first() throws Exception {
        Socket client = Net.connect(Loopback.closedPort(), Loopback.V4);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.when(Socket.CONNECT).get(SECONDS, TimeUnit.SECONDS));
        assertEquals(NetException.ECONNREFUSED, assertInstanceOf(NetException.class, e.getCause()).code());
        // waiting for ERROR itself completes with the error, as Node's events.once(socket, 'error') resolves
        Throwable error = client.when(Socket.ERROR).get(SECONDS, TimeUnit.SECONDS);
        assertSame(e.getCause(), error);
        // ERROR came before CLOSE, so a future of CLOSE fails too, as Node's events.once(socket, 'close') made
        // right after connect() rejects
        ExecutionException c = assertThrows(ExecutionException.class,
                () -> client.when(Socket.CLOSE).get(SECONDS, TimeUnit.SECONDS));
        assertSame(error, c.getCause());
    }

    @Test
    void a_kept_event_emitted_before_a_kept_error_completes_the_future_with_the_event() throws Exception {
        // READY, then ERROR, both emitted with nobody listening and kept: when(READY) gets READY, which came
        // first. Its two listeners must be owed their replays together: owed one by one, the event sequence
        // could replay the ERROR before the READY listener was even there (56 of 200 rounds failed so).
        Server server = Net.createServer(s -> { }).listen(0, Loopback.V4);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < 200; i++) {
            Socket client = Net.connect(server.address().port(), Loopback.V4);
            client.when(Socket.READY).get(SECONDS, TimeUnit.SECONDS);          // heard late: kept
            IllegalStateException error = new IllegalStateException("round " + i);
            client.destroy(error);
            EventLog.waiting().until(client::destroyed);
            String outcome;
            try {
                outcome = "completed with " + client.when(Socket.READY).get(SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                outcome = "failed with " + (e.getCause() == error ? "the later error" : e.getCause());
            }
            outcomes.merge(outcome, 1, Integer::sum);
            assertSame(error, client.when(Socket.ERROR).get(SECONDS, TimeUnit.SECONDS));   // heard, not uncaught
        }
        assertEquals(Map.of("completed with null", 200), outcomes);
        Loopback.closeAndWait(server);
    }

    @Test
    void an_error_kept_after_the_event_a_future_got_stays_unheard_and_is_reported(UncaughtExceptions uncaught)
            throws Exception {
        // The future of READY removes its ERROR listener as it completes, before the kept ERROR that came after
        // READY is replayed to it: nobody heard that error, so it goes to the uncaught exception handler (here
        // when the socket connects again), as Node's process would crash on it.
        Server server = Net.createServer(s -> { }).listen(0, Loopback.V4);
        Socket client = Net.connect(server.address().port(), Loopback.V4);
        client.when(Socket.READY).get(SECONDS, TimeUnit.SECONDS);
        IllegalStateException error = new IllegalStateException("nobody listens");
        client.destroy(error);
        EventLog.waiting().until(client::destroyed);
        CompletableFuture<Void> ready = client.when(Socket.READY);
        EventLog.waiting().until(ready::isDone);            // a waiting get() could run the removal itself
        assertNull(ready.get());
        client.connect(server.address().port(), Loopback.V4);
        assertSame(error, uncaught.awaitOne(e -> e == error).error());
        client.end();
        assertEquals(false, client.when(Socket.CLOSE).get(SECONDS, TimeUnit.SECONDS));
        Loopback.closeAndWait(server);
    }

    @Test
    void a_listen_failure_fails_the_listening_future() throws Exception {
        Server first = Net.createServer().listen(0, Loopback.V4);
        first.when(Server.LISTENING).get(SECONDS, TimeUnit.SECONDS);
        Server second = Net.createServer().listen(first.address().port(), Loopback.V4);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> second.when(Server.LISTENING).get(SECONDS, TimeUnit.SECONDS));
        assertEquals(NetException.EADDRINUSE, assertInstanceOf(NetException.class, e.getCause()).code());
        Loopback.closeAndWait(first);
    }

    @Test
    void a_timed_out_get_cancels_the_future_and_leaves_no_listener() {
        Server server = Net.createServer();
        CompletableFuture<Void> listening = server.when(Server.LISTENING);
        assertEquals(1, server.listenerCount(Server.LISTENING));
        assertEquals(1, server.listenerCount(Server.ERROR));
        assertThrows(TimeoutException.class, () -> listening.get(50, TimeUnit.MILLISECONDS));
        assertTrue(listening.isCancelled());
        assertThrows(CancellationException.class, listening::join);
        assertEquals(0, server.listenerCount(Server.LISTENING));
        assertEquals(0, server.listenerCount(Server.ERROR));
    }

    @Test
    void completing_the_future_otherwise_removes_its_listeners_too() {
        Socket socket = Net.socket();
        CompletableFuture<Boolean> close = socket.when(Socket.CLOSE);
        close.cancel(false);
        assertEquals(0, socket.listenerCount(Socket.CLOSE));
        CompletableFuture<Void> connect = socket.when(Socket.CONNECT);
        connect.orTimeout(1, TimeUnit.MILLISECONDS);
        EventLog.waiting().until(connect::isDone);
        assertEquals(0, socket.listenerCount(Socket.CONNECT));
        assertEquals(0, socket.listenerCount(Socket.ERROR));
    }

    @Test
    void null_event_is_rejected_at_the_call() {
        NetException e = assertThrows(NetException.class, () -> Net.socket().when(null));
        assertEquals(NetException.ERR_INVALID_ARG_TYPE, e.code());
    }
}
