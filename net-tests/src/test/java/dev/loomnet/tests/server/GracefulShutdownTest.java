package dev.loomnet.tests.server;

import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@code server.shutdown(grace)} and {@code server.openConnections()}. */
class GracefulShutdownTest {

    private static final String HOST = "127.0.0.1";

    /** Connects {@code n} clients that record their events; returns them once the server holds them all. */
    private static List<Socket> clients(Server server, int n, List<String> events) {
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket c = Net.connect(server.address().port(), HOST);
            c.on(Socket.END, () -> events.add("end"))
                    .on(Socket.ERROR, e -> events.add("error:" + ((NetException) e).code()))
                    .on(Socket.CLOSE, hadError -> events.add("close:" + hadError));
            clients.add(c);
        }
        waiting().until(() -> server.openConnections().size() == n);
        return clients;
    }

    @Test
    void open_connections_lists_the_accepted_sockets_in_accept_order_until_they_close() {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(accepted::add).listen(0, HOST);
        assertEquals(List.of(), server.openConnections());
        List<String> events = new CopyOnWriteArrayList<>();
        List<Socket> clients = clients(server, 3, events);
        waiting().until(() -> accepted.size() == 3);
        // in the order accepted (their CONNECTION listeners run in parallel, so `accepted` may be in another)
        List<Socket> snapshot = server.openConnections();
        assertEquals(java.util.Set.copyOf(accepted), java.util.Set.copyOf(snapshot));
        assertThrows(UnsupportedOperationException.class, () -> snapshot.remove(0));
        snapshot.get(1).destroy();
        waiting().until(() -> server.openConnections().size() == 2);
        assertEquals(List.of(snapshot.get(0), snapshot.get(2)), server.openConnections());
        assertEquals(3, snapshot.size());                                   // a snapshot does not change
        clients.forEach(Socket::destroy);
        waiting().until(() -> server.openConnections().isEmpty());
        server.close();
    }

    @Test
    void connections_that_end_cleanly_close_within_the_grace_and_the_future_completes_after_close() throws Exception {
        Server server = Net.createServer(Socket::resume).listen(0, HOST);
        AtomicBoolean closeEvent = new AtomicBoolean();
        server.on(Server.CLOSE, () -> closeEvent.set(true));
        List<String> events = new CopyOnWriteArrayList<>();
        List<Socket> clients = clients(server, 3, events);
        CompletableFuture<Void> done = server.shutdown(Duration.ofSeconds(30));
        assertFalse(server.listening());
        done.get(10, TimeUnit.SECONDS);                          // the clients end in turn (no half-open): clean
        assertTrue(closeEvent.get());
        waiting().until(() -> clients.stream().allMatch(Socket::destroyed));
        assertEquals(List.of("close:false", "close:false", "close:false", "end", "end", "end"),
                events.stream().sorted().toList());
    }

    @Test
    void a_client_that_never_ends_is_destroyed_when_the_grace_has_passed() throws Exception {
        // The server side is half-open: our FIN leaves, but the client (half-open too) never ends its side
        Server server = Net.createServer(ServerOptions.builder().allowHalfOpen(true).build(), Socket::resume)
                .listen(0, HOST);
        Socket client = Net.socket(dev.loomnet.net.SocketOptions.builder().allowHalfOpen(true).build());
        List<String> events = new CopyOnWriteArrayList<>();
        client.on(Socket.END, () -> events.add("end"))
                .on(Socket.ERROR, e -> events.add("error:" + ((NetException) e).code()))
                .on(Socket.CLOSE, hadError -> events.add("close:" + hadError));
        client.connect(server.address().port(), HOST);
        waiting().until(() -> server.openConnections().size() == 1);
        AtomicBoolean called = new AtomicBoolean();
        server.shutdown(Duration.ofMillis(300), error -> called.set(error == null));
        waiting().until(() -> events.contains("end"));                      // our FIN came
        assertEquals(1, server.openConnections().size());                   // still open: the client did not end
        waiting().untilTrue(called);                                        // destroyed after the grace
        assertTrue(server.openConnections().isEmpty());
        assertEquals(0, server.connections());
        client.destroy();                       // half-open: it learns of the destroy only when it writes
    }

    @Test
    void a_grace_of_zero_destroys_the_connections_at_once() throws Exception {
        Server server = Net.createServer(Socket::resume).listen(0, HOST);
        List<String> events = new CopyOnWriteArrayList<>();
        List<Socket> clients = clients(server, 2, events);
        server.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
        assertTrue(server.openConnections().isEmpty());
        waiting().until(() -> clients.stream().allMatch(Socket::destroyed));
    }

    @Test
    void shutdown_of_a_server_that_is_not_listening_completes_with_its_close() throws Exception {
        Server server = Net.createServer();
        server.shutdown(Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void bad_arguments_are_rejected_at_the_call() {
        Server server = Net.createServer();
        assertEquals(NetException.ERR_INVALID_ARG_TYPE,
                assertThrows(NetException.class, () -> server.shutdown(null)).code());
        assertEquals(NetException.ERR_OUT_OF_RANGE,
                assertThrows(NetException.class, () -> server.shutdown(Duration.ofMillis(-1))).code());
        assertEquals(NetException.ERR_INVALID_ARG_TYPE,
                assertThrows(NetException.class, () -> server.shutdown(Duration.ZERO, null)).code());
    }
}
