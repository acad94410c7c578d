package dev.loomnet.tests.server;

import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.closeAndWait;
import static dev.loomnet.tests.server.Fixtures.destroyAll;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code getConnections(cb)} and the exact {@code connections()} count (catalog #11, #35). */
class ConnectionCountTest {

    @Test
    @Catalog(35)
    void get_connections_calls_back_with_null_and_the_count_while_one_client_is_connected() {          // #35
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4);
        Socket client = Net.socket();
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        client.connect(server.address().port(), V4);
        waiting().until(() -> accepted.size() == 1);
        AtomicReference<String> answer = new AtomicReference<>();
        Server returned = server.getConnections((error, count) -> answer.set(error + "," + count));
        assertEquals(server, returned);
        waiting().until(() -> answer.get() != null);
        assertEquals("null,1", answer.get());
        client.destroy();
        trace.awaitClosed();
        closeAndWait(server);
    }

    @Test
    void get_connections_calls_back_after_the_call_returns() {
        List<String> order = new CopyOnWriteArrayList<>();
        Server server = Net.createServer();
        // Called inside a server listener, the callback must wait for that listener to return (Node: next tick).
        server.on(Server.LISTENING, () -> {
            server.getConnections((error, count) -> order.add("callback " + error + " " + count));
            order.add("returned");
        });
        server.listen(0, V4);
        waiting().until(() -> order.size() == 2);
        assertEquals(List.of("returned", "callback null 0"), order);
        closeAndWait(server);
    }

    @Test
    void a_connection_counts_inside_its_connection_listener_and_no_longer_inside_its_close_listener() {
        AtomicInteger inConnection = new AtomicInteger(-1);
        AtomicInteger inClose = new AtomicInteger(-1);
        Server[] holder = new Server[1];
        Server server = Net.createServer(socket -> {
            inConnection.set(holder[0].connections());
            socket.resume();
            socket.on(Socket.CLOSE, hadError -> inClose.set(holder[0].connections()));
            socket.end();
        });
        holder[0] = server;
        server.listen(0, V4);
        Socket client = Net.socket();
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        client.resume();
        client.connect(server.address().port(), V4);
        trace.awaitClosed();
        waiting().until(() -> inClose.get() != -1);
        assertEquals(1, inConnection.get(), "counted before CONNECTION");
        assertEquals(0, inClose.get(), "not counted in its own CLOSE listener");
        assertEquals(0, server.connections());
        closeAndWait(server);
    }

    @Test
    @Catalog(11)
    void connections_stays_exact_after_close_as_the_open_connections_end_one_by_one() {              // #11
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4);
        int port = server.address().port();
        List<Socket> clients = new CopyOnWriteArrayList<>();
        List<Fixtures.Trace> traces = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket c = Net.socket();
            traces.add(Fixtures.Trace.of(c));
            clients.add(c.connect(port, V4));
        }
        waiting().until(() -> accepted.size() == 3 && server.connections() == 3);
        AtomicReference<Throwable> closeResult = new AtomicReference<>();
        AtomicInteger closeCalls = new AtomicInteger();
        server.close(error -> {
            closeResult.set(error);
            closeCalls.incrementAndGet();
        });
        assertEquals(3, server.connections(), "close() leaves open connections alone");
        for (int i = 0; i < 3; i++) {
            accepted.get(i).destroy();
            int left = 2 - i;
            waiting().until(() -> server.connections() == left);
            AtomicReference<Integer> reported = new AtomicReference<>();
            server.getConnections((error, count) -> reported.set(count));
            waiting().until(() -> reported.get() != null);
            assertEquals(left, reported.get(), "getConnections agrees with connections()");
            if (left > 0) {
                assertEquals(0, closeCalls.get(), "no close callback while a connection is open");
            }
        }
        waiting().until(() -> closeCalls.get() == 1);
        assertNull(closeResult.get());
        traces.forEach(Fixtures.Trace::awaitClosed);
        destroyAll(clients);
    }
}
