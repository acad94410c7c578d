package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.CloseListener;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.UncaughtExceptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Node's "listeners added right after {@code connect()}/{@code listen()} see every event", from a plain thread:
 * the idiom {@code Socket c = Net.connect(...); c.on(...)} repeated many times against a clean exchange, a
 * refused port and a server that resets, each run checking that every listener saw its events once, in Node's
 * order. The number of runs is {@code -Dloomnet.lateListeners.rounds} (default 200).
 */
class LateListenersTest {

    private static final int ROUNDS = Integer.getInteger("loomnet.lateListeners.rounds", 200);

    /**
     * Runs {@code round} {@link #ROUNDS} times; each returns the events its listeners saw. Fails with a count of
     * every distinct outcome unless all of them equal {@code expected}.
     */
    private static void everyRound(List<String> expected, IntFunction<List<String>> round) {
        everyRound(Set.of(expected), round);
    }

    /** {@link #everyRound(List, IntFunction)} where Node too may give one of several outcomes. */
    private static void everyRound(Set<List<String>> allowed, IntFunction<List<String>> round) {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < ROUNDS; i++) {
            outcomes.merge(String.join(",", round.apply(i)), 1, Integer::sum);
        }
        Set<String> expected = allowed.stream().map(l -> String.join(",", l)).collect(Collectors.toSet());
        assertTrue(expected.containsAll(outcomes.keySet()), "outcomes " + outcomes + ", allowed " + expected);
        System.out.println("[late listeners] " + outcomes);
    }

    /** The idiom: connect, then attach every listener, then wait for CLOSE. */
    private static List<String> connectThenListen(int port) {
        Socket client = Net.connect(port, Loopback.V4);
        EventLog log = EventLog.of(client);
        log.awaitClosed();
        return log.folded();
    }

    @Test
    void a_clean_exchange_reaches_listeners_added_after_connect() {
        Server server = Net.createServer(s -> s.end("hello")).listen(0, Loopback.V4);
        int port = server.address().port();
        everyRound(List.of("connect", "ready", "data", "end", "finish", "close:false"), i -> connectThenListen(port));
        Loopback.closeAndWait(server);
    }

    @Test
    void a_refused_connect_reaches_listeners_added_after_connect() {
        int port = Loopback.closedPort();
        everyRound(List.of("error:ECONNREFUSED", "close:true"), i -> connectThenListen(port));
    }

    @Test
    void a_reset_reaches_listeners_added_after_connect() {
        Server server = Net.createServer(Socket::resetAndDestroy).listen(0, Loopback.V4);
        int port = server.address().port();
        // A reset that lands before the handshake is seen fails the connect itself, in Node as here.
        everyRound(Set.of(List.of("connect", "ready", "error:ECONNRESET", "close:true"),
                List.of("error:ECONNRESET", "close:true")), i -> connectThenListen(port));
        Loopback.closeAndWait(server);
    }

    @Test
    void listening_and_close_reach_listeners_added_after_listen_and_close() {
        everyRound(List.of("listening", "close"), i -> {
            List<String> events = new CopyOnWriteArrayList<>();
            Server server = Net.createServer().listen(0, Loopback.V4);
            server.on(Server.LISTENING, () -> events.add("listening"));
            EventLog.waiting().until(() -> events.contains("listening"));
            server.close();
            server.on(Server.CLOSE, () -> events.add("close"));
            EventLog.waiting().until(() -> events.contains("close"));
            return events;
        });
    }

    @Test
    void two_listeners_of_one_event_added_after_it_both_get_it_once() {
        int port = Loopback.closedPort();
        everyRound(List.of("a:true", "b:true", "c:true"), i -> {
            List<String> events = new CopyOnWriteArrayList<>();
            Socket client = Net.connect(port, Loopback.V4);
            client.on(Socket.ERROR, e -> { });
            client.on(Socket.CLOSE, hadError -> events.add("a:" + hadError));
            client.once(Socket.CLOSE, hadError -> events.add("b:" + hadError));
            EventLog.waiting().until(() -> events.size() == 2);
            client.on(Socket.CLOSE, hadError -> events.add("c:" + hadError));      // much later: still kept
            EventLog.waiting().until(() -> events.size() == 3);
            return events;
        });
    }

    @Test
    void a_once_listener_removed_before_its_replay_came_does_not_run() {
        // A replayed CLOSE listener that blocks holds the event sequence, so the next replay is surely still owed
        // when the test thread removes its once listener: it must not run, as an on() listener removed so does not.
        int port = Loopback.closedPort();
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        Socket client = Net.connect(port, Loopback.V4);
        EventLog.waiting().until(client::destroyed);
        client.on(Socket.ERROR, e -> events.add("error"));
        client.on(Socket.CLOSE, hadError -> {
            events.add("close");
            release.await(10, TimeUnit.SECONDS);
        });
        EventLog.waiting().until(() -> events.contains("close"));
        CloseListener removed = hadError -> events.add("removed once listener");
        client.once(Socket.CLOSE, removed);
        client.off(Socket.CLOSE, removed);
        client.once(Socket.CLOSE, hadError -> events.add("once"));
        release.countDown();
        EventLog.waiting().until(() -> events.contains("once"));
        assertEquals(List.of("error", "close", "once"), events);
    }

    @Test
    void a_replayed_listener_that_throws_does_not_take_the_later_replays_from_the_others(UncaughtExceptions uncaught) {
        // ERROR and CLOSE of a refused connect, kept; two listeners added late are owed them in one batch (the
        // event sequence is held by a blocking replayed listener meanwhile). The ERROR listener throws: the socket
        // is destroyed already, so that goes to the uncaught exception handler, and the CLOSE listener still
        // gets its CLOSE, a later emission, as it would if CLOSE had been emitted live.
        int port = Loopback.closedPort();
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        IllegalStateException thrown = new IllegalStateException("thrown by a replayed ERROR listener");
        Socket client = Net.connect(port, Loopback.V4);
        EventLog.waiting().until(client::destroyed);
        client.on(Socket.CLOSE, hadError -> {
            events.add("holding");
            release.await(10, TimeUnit.SECONDS);
        });
        EventLog.waiting().until(() -> events.contains("holding"));
        client.on(Socket.ERROR, e -> {
            events.add("error:" + EventLog.code(e));
            throw thrown;
        });
        client.on(Socket.CLOSE, hadError -> events.add("close:" + hadError));
        release.countDown();
        EventLog.waiting().until(() -> events.size() == 3);
        assertEquals(List.of("holding", "error:ECONNREFUSED", "close:true"), events);
        assertSame(thrown, uncaught.awaitOne(e -> e == thrown).error());
    }

    @Test
    void a_listener_added_inside_a_listener_does_not_get_the_emission_it_was_added_during() {
        Server server = Net.createServer(s -> s.end("hello")).listen(0, Loopback.V4);
        List<String> events = new CopyOnWriteArrayList<>();
        Socket client = Net.connect(server.address().port(), Loopback.V4);
        // Each CONNECT listener adds another: Node runs the new one at the next CONNECT only (there is none).
        client.on(Socket.CONNECT, new Runnable() {
            @Override
            public void run() {
                events.add("connect");
                client.on(Socket.CONNECT, this::run);
            }
        }::run);
        // Added inside a (maybe replayed) CONNECT listener, the END listener still gets the END after it.
        client.once(Socket.CONNECT, () -> client.on(Socket.END, () -> events.add("end")));
        client.on(Socket.DATA, chunk -> events.add("data"));
        client.on(Socket.CLOSE, hadError -> events.add("close"));
        EventLog.waiting().until(() -> events.contains("close"));
        assertEquals(List.of("connect", "data", "end", "close"), events);
        Loopback.closeAndWait(server);
    }

    @Test
    void a_new_connection_starts_with_nothing_kept() {
        int closed = Loopback.closedPort();
        Server server = Net.createServer(s -> s.end("hello")).listen(0, Loopback.V4);
        Socket client = Net.connect(closed, Loopback.V4);
        EventLog first = EventLog.of(client).awaitClosed();
        assertEquals(List.of("error:ECONNREFUSED", "close:true"), first.events);
        client.removeAllListeners();            // else they hear the next connection's events in time
        client.connect(server.address().port(), Loopback.V4);
        // still flowing (the first log's DATA listener started it, as Node's readableFlowing stays true): the
        // greeting goes to no listener, and the second log gets only this connection's lifecycle
        EventLog second = EventLog.withoutData(client).awaitClosed();
        assertEquals(List.of("connect", "ready", "end", "finish", "close:false"), second.events);
        Loopback.closeAndWait(server);
    }

    @Test
    void sockets_created_inside_a_listener_keep_node_s_rule() {
        // Created inside a CONNECTION listener, a client emits nothing until that listener returned, so its
        // listeners are in time; and it keeps nothing: a listener added after its CLOSE gets nothing, as in Node.
        int closed = Loopback.closedPort();
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<Socket> inner = new AtomicReference<>();
        Server server = Net.createServer(s -> {
            Socket c = Net.connect(closed, Loopback.V4);
            c.on(Socket.ERROR, e -> events.add("error:" + EventLog.code(e)));
            c.on(Socket.CLOSE, hadError -> {
                events.add("close:" + hadError);
                s.end();
            });
            inner.set(c);
        }).listen(0, Loopback.V4);
        Socket client = Net.connect(server.address().port(), Loopback.V4).resume();
        EventLog.waiting().until(() -> events.size() == 2);
        inner.get().on(Socket.CLOSE, hadError -> events.add("late close"));
        await().during(Duration.ofMillis(200)).atMost(EventLog.WAIT).until(() -> events.size() == 2);
        assertEquals(List.of("error:ECONNREFUSED", "close:true"), events);
        EventLog.withoutData(client).awaitClosed();
        Loopback.closeAndWait(server);
    }
}
