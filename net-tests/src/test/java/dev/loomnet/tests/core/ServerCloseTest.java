package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Server close, its callback, CLOSE after the last connection, asyncDispose and the connection count (catalog #5,
 * #11-13, #30, #127).
 */
class ServerCloseTest {

    /** Rounds of the race regression tests ({@code -Dloomnet.regression.rounds}, default 200). */
    private static final int ROUNDS = Integer.getInteger("loomnet.regression.rounds", 200);

    private static final Throwable NOT_CALLED = new Throwable("not called");

    @Test
    @Catalog({1, 12})
    void close_callback_receives_null_and_close_is_emitted() {                         // #12
        AtomicReference<Throwable> result = new AtomicReference<>(NOT_CALLED);
        AtomicBoolean closeEvent = new AtomicBoolean();
        Server server = Net.createServer().on(Server.CLOSE, () -> closeEvent.set(true)).listen(0, "127.0.0.1");
        assertSame(server, server.close(result::set));                                 // #1
        await().atMost(EventLog.WAIT).until(() -> result.get() != NOT_CALLED);
        assertNull(result.get());
        await().atMost(EventLog.WAIT).untilTrue(closeEvent);
    }

    @Test
    @Catalog(5)
    void close_without_callback_emits_close() {
        AtomicBoolean closeEvent = new AtomicBoolean();
        Server server = Net.createServer().on(Server.CLOSE, () -> closeEvent.set(true)).listen(0, "127.0.0.1");
        server.close();
        await().atMost(EventLog.WAIT).untilTrue(closeEvent);
        assertFalse(server.listening());
    }

    @Test
    @Catalog(12)
    void close_of_a_server_that_never_listened_gives_err_server_not_running_and_still_emits_close() {   // #12
        AtomicReference<Throwable> result = new AtomicReference<>(NOT_CALLED);
        AtomicBoolean closeEvent = new AtomicBoolean();
        Server server = Net.createServer().on(Server.CLOSE, () -> closeEvent.set(true));
        server.close(result::set);
        await().atMost(EventLog.WAIT).until(() -> result.get() != NOT_CALLED);
        NetException e = assertInstanceOf(NetException.class, result.get());
        assertEquals(NetException.ERR_SERVER_NOT_RUNNING, e.code());
        assertEquals("Server is not running.", e.getMessage());
        await().atMost(EventLog.WAIT).untilTrue(closeEvent);
    }

    @Test
    void close_of_an_already_closed_server_gives_err_server_not_running() {
        Server server = Net.createServer().listen(0, "127.0.0.1");
        Loopback.closeAndWait(server);
        AtomicReference<Throwable> result = new AtomicReference<>(NOT_CALLED);
        server.close(result::set);
        await().atMost(EventLog.WAIT).until(() -> result.get() != NOT_CALLED);
        assertEquals(NetException.ERR_SERVER_NOT_RUNNING, ((NetException) result.get()).code());
    }

    @Test
    @Catalog(11)
    void close_callback_runs_only_after_the_last_open_connection_ends() {              // #11
        List<String> order = new CopyOnWriteArrayList<>();
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(s -> {
            accepted.add(s);
            s.on(Socket.CLOSE, hadError -> order.add("accepted-close"));
            s.resume();
        }).listen(0, "127.0.0.1");
        int port = server.address().port();
        List<EventLog> clients = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Socket c = Net.socket();
            clients.add(EventLog.of(c));
            sockets.add(c.connect(port, Loopback.V4));
        }
        await().atMost(EventLog.WAIT).until(() -> server.connections() == 2);
        server.close(e -> order.add("server-close:" + e + (accepted.stream().allMatch(Socket::destroyed)
                ? "" : " while a connection is open")));
        assertFalse(server.listening());
        assertEquals(2, server.connections(), "close() leaves accepted connections open");

        order.add("first-client-end");
        sockets.get(0).end();
        await().atMost(EventLog.WAIT).until(() -> order.contains("accepted-close"));
        assertEquals(1, server.connections());
        order.add("second-client-end");
        sockets.get(1).end();
        await().atMost(EventLog.WAIT).until(() -> order.size() == 5);
        // As in Node, the server's close follows the last socket's destroy; that socket's own close event is
        // emitted independently, so the last two may come in either order.
        assertEquals(List.of("first-client-end", "accepted-close", "second-client-end"), order.subList(0, 3));
        assertEquals(java.util.Set.of("accepted-close", "server-close:null"), java.util.Set.copyOf(order.subList(3, 5)));
        assertEquals(0, server.connections());
        for (EventLog log : clients) {
            log.awaitClosed();
        }
        assertTrue(accepted.stream().allMatch(Socket::destroyed));
    }

    @Test
    @Catalog(13)
    void a_connect_right_after_close_is_refused() {                                     // #13
        Server server = Net.createServer(Socket::resume).listen(0, "127.0.0.1");
        int port = server.address().port();
        EventLog.waiting().until(server::listening);
        server.close();
        Socket refused = Net.socket();
        EventLog refusedLog = EventLog.withoutData(refused);
        refused.connect(port, Loopback.V4);
        refusedLog.awaitClosed();
        assertEquals(List.of("error:ECONNREFUSED", "close:true"), refusedLog.events);
    }

    @Test
    @Catalog(127)
    void connections_counts_open_accepted_sockets_and_drops_once_per_destroyed_socket() {   // #127
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(accepted::add).listen(0, "127.0.0.1");
        assertEquals(0, server.connections());
        int port = server.address().port();
        List<EventLog> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket c = Net.socket();
            clients.add(EventLog.of(c));                  // reads, so it sees the server's FIN
            c.connect(port, Loopback.V4);
        }
        await().atMost(EventLog.WAIT).until(() -> server.connections() == 3);
        await().atMost(EventLog.WAIT).until(() -> accepted.size() == 3);
        Socket first = accepted.get(0);
        AtomicBoolean firstClosed = new AtomicBoolean();
        first.on(Socket.CLOSE, hadError -> firstClosed.set(true));
        first.destroy();
        first.destroy();
        await().atMost(EventLog.WAIT).untilTrue(firstClosed);
        assertEquals(2, server.connections());
        accepted.forEach(Socket::destroy);
        await().atMost(EventLog.WAIT).until(() -> server.connections() == 0);
        for (EventLog log : clients) {
            log.awaitClosed();
        }
        Loopback.closeAndWait(server);
    }

    /**
     * The last connection's close and {@code server.close()} at the same moment give one {@code close} (Node's
     * {@code _emitCloseIfDrained} runs for each, but only one finds the server drained). The getConnections
     * callback, posted after both, runs after every CLOSE they posted: {@link #ROUNDS} rounds.
     */
    @Test
    void close_racing_the_last_connections_close_emits_close_once() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            AtomicInteger closes = new AtomicInteger();
            java.util.concurrent.BlockingQueue<Socket> accepted = new java.util.concurrent.LinkedBlockingQueue<>();
            Server server = Net.createServer(accepted::add).listen(0, "127.0.0.1");
            server.on(Server.CLOSE, closes::incrementAndGet);
            Socket client = Net.connect(server.address().port(), "127.0.0.1").resume();
            Socket peer = accepted.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            AtomicBoolean peerClosed = new AtomicBoolean();
            peer.on(Socket.CLOSE, hadError -> peerClosed.set(true));
            peer.destroy();
            server.close();
            EventLog.waiting().untilTrue(peerClosed);
            AtomicInteger seen = new AtomicInteger(-1);
            server.getConnections((e, count) -> seen.set(closes.get()));
            EventLog.waiting().until(() -> seen.get() >= 0);
            assertEquals(1, seen.get(), "round " + round);
            assertEquals(1, closes.get(), "round " + round);
            EventLog.waiting().until(client::destroyed);
        }
    }

    @Test
    @Catalog(30)
    void async_dispose_closes_a_listening_server_and_completes_after_its_connections_ended() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        AtomicReference<Socket> accepted = new AtomicReference<>();
        Server server = Net.createServer(accepted::set).on(Server.CLOSE, closes::incrementAndGet)
                .listen(0, "127.0.0.1");
        await().atMost(EventLog.WAIT).until(server::listening);
        Socket client = Net.connect(server.address().port(), "127.0.0.1");
        EventLog log = EventLog.withoutData(client);
        await().atMost(EventLog.WAIT).until(() -> accepted.get() != null);
        var disposed = server.asyncDispose();
        assertFalse(server.listening());
        assertFalse(disposed.isDone());                   // CLOSE waits for the open connection
        client.destroy();
        log.awaitClosed();
        assertNull(disposed.get(EventLog.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, closes.get());
    }

    @Test
    @Catalog(30)
    void async_dispose_of_a_server_that_is_not_listening_completes_at_once_without_close() {
        AtomicInteger closes = new AtomicInteger();
        Server server = Net.createServer().on(Server.CLOSE, closes::incrementAndGet);
        var disposed = server.asyncDispose();
        assertTrue(disposed.isDone());
        assertNull(disposed.join());
        await().during(java.time.Duration.ofMillis(100)).atMost(EventLog.WAIT).until(() -> closes.get() == 0);
    }
}
