package dev.loomnet.tests.server;

import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection-draining rules of {@code close()} (catalog #11, #13, #158): stop accepting at once, leave
 * open connections alone, emit {@code CLOSE} and run the callback when the last one ends.
 */
class ServerCloseDrainTest {

    @Test
    @Catalog(13)
    void after_close_a_new_connect_is_refused_while_an_open_connection_still_echoes() {            // #13
        Server server = Net.createServer(s -> s.on(Socket.DATA, s::write)).listen(0, V4);
        int port = server.address().port();
        Socket open = Net.socket();
        Fixtures.Trace openTrace = Fixtures.Trace.of(open);
        List<String> echoed = new CopyOnWriteArrayList<>();
        open.on(Socket.DATA, chunk -> echoed.add(new String(chunk, StandardCharsets.UTF_8)));
        open.connect(port, V4);
        openTrace.await("connect");
        waiting().until(() -> server.connections() == 1);

        AtomicInteger closeCalls = new AtomicInteger();
        server.close(error -> closeCalls.incrementAndGet());
        assertFalse(server.listening());

        Socket late = Net.socket();
        Fixtures.Trace lateTrace = Fixtures.Trace.of(late);
        late.connect(port, V4);
        lateTrace.awaitClosed();
        assertEquals(List.of("attempt:127.0.0.1:" + port + "/4", "failed:127.0.0.1:" + port + "/4:ECONNREFUSED",
                "error:ECONNREFUSED", "close:true"), lateTrace.events);                               // #76
        assertEquals("connect ECONNREFUSED 127.0.0.1:" + port, lateTrace.errors.get(0).getMessage());

        open.write("still here");
        waiting().until(() -> String.join("", echoed).equals("still here"));
        assertEquals(0, closeCalls.get(), "the server waits for its open connection");
        open.end();
        openTrace.awaitClosed();
        waiting().until(() -> closeCalls.get() == 1);
    }

    @Test
    @Catalog(11)
    void close_is_emitted_once_after_the_last_of_two_connections_ends_not_after_the_first() {       // #11
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4);
        List<String> serverEvents = new CopyOnWriteArrayList<>();
        server.on(Server.CLOSE, () -> serverEvents.add("server close with " + server.connections() + " open"));
        Socket a = Net.socket();
        Socket b = Net.socket();
        Fixtures.Trace ta = Fixtures.Trace.of(a);
        Fixtures.Trace tb = Fixtures.Trace.of(b);
        a.connect(server.address().port(), V4);
        waiting().until(() -> accepted.size() == 1);             // one at a time: accepted.get(0) is a's peer
        b.connect(server.address().port(), V4);
        waiting().until(() -> accepted.size() == 2);
        AtomicReference<String> callback = new AtomicReference<>();
        server.close(error -> callback.set("callback " + error));

        accepted.get(0).on(Socket.CLOSE, hadError -> serverEvents.add("first connection closed"));
        accepted.get(0).destroy();
        ta.awaitClosed();
        waiting().until(() -> serverEvents.contains("first connection closed"));
        assertEquals(1, server.connections());
        assertNull(callback.get());

        accepted.get(1).destroy();
        tb.awaitClosed();
        waiting().until(() -> callback.get() != null);
        assertEquals("callback null", callback.get());
        // Node emits the server's close on the next tick after the last socket's destroy, which may come before
        // that socket's own close event; only the count matters: zero when the server closes.
        assertEquals(List.of("first connection closed", "server close with 0 open"), serverEvents);
    }

    @Test
    void a_server_with_no_connection_emits_close_and_runs_the_callback_with_null() {
        Server server = Net.createServer().listen(0, V4);
        List<String> order = new CopyOnWriteArrayList<>();
        server.on(Server.CLOSE, () -> order.add("close"));
        server.close(error -> order.add("callback " + error));
        waiting().until(() -> order.size() == 2);
        assertTrue(order.contains("close") && order.contains("callback null"), order.toString());
        assertNull(server.address(), "a TCP server has no address once closed (#154)");
    }

    @Test
    @Catalog(12)
    void close_on_a_server_that_was_closed_already_gives_err_server_not_running_to_the_second_callback() {
        Server server = Net.createServer().listen(0, V4);
        AtomicReference<Throwable> first = new AtomicReference<>(new AssertionError("not called"));
        AtomicReference<Throwable> second = new AtomicReference<>();
        server.close(first::set);
        server.close(second::set);
        waiting().until(() -> second.get() != null && !(first.get() instanceof AssertionError));
        assertNull(first.get());
        assertEquals(NetException.ERR_SERVER_NOT_RUNNING, ((NetException) second.get()).code());
        assertEquals("Server is not running.", second.get().getMessage());
    }

    @Test
    void a_second_close_while_a_connection_is_open_gets_err_server_not_running_and_close_waits_for_the_connection() {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4);
        List<String> order = new CopyOnWriteArrayList<>();
        server.on(Server.CLOSE, () -> order.add("close with " + server.connections() + " open"));
        Socket client = Net.socket();
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        client.connect(server.address().port(), V4);
        waiting().until(() -> accepted.size() == 1);
        AtomicReference<Throwable> second = new AtomicReference<>();
        server.close(error -> order.add("first callback " + error));
        server.close(error -> {
            second.set(error);
            order.add("second callback " + Fixtures.code(error));
        });

        // getConnections' callback is posted after whatever the two close() calls posted: once it ran, a CLOSE
        // emitted by the second close() would be in the list.
        AtomicInteger open = new AtomicInteger(-1);
        server.getConnections((error, count) -> open.set(count));
        waiting().until(() -> open.get() >= 0);
        assertEquals(1, open.get());
        assertEquals(List.of(), order, "nothing happens while the connection is open");

        accepted.get(0).destroy();
        trace.awaitClosed();
        waiting().until(() -> order.size() == 3);
        AtomicBoolean settled = new AtomicBoolean();                // and no second CLOSE was posted meanwhile
        server.getConnections((error, count) -> settled.set(true));
        waiting().untilTrue(settled);
        assertEquals(List.of("close with 0 open", "first callback null", "second callback ERR_SERVER_NOT_RUNNING"),
                order, "CLOSE once, then the callbacks in the order of the close() calls");
        assertEquals("Server is not running.", second.get().getMessage());
    }

    @Test
    void closing_a_unix_server_removes_its_file_at_once_and_leaves_the_open_connection_working(
            @TempDir Path dir) {                                                                        // #158
        Path path = dir.resolve("drain.sock");
        Server server = Net.createServer(s -> s.on(Socket.DATA, s::write)).listen(path);
        Socket client = Net.socket();
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        List<String> echoed = new CopyOnWriteArrayList<>();
        client.on(Socket.DATA, chunk -> echoed.add(new String(chunk, StandardCharsets.UTF_8)));
        client.connect(path);
        trace.await("connect");
        waiting().until(() -> server.connections() == 1);
        AtomicInteger closeCalls = new AtomicInteger();
        server.close(error -> closeCalls.incrementAndGet());
        assertFalse(Files.exists(path), "the socket file is removed by close()");
        client.write("ping");
        waiting().until(() -> String.join("", echoed).equals("ping"));
        assertEquals(0, closeCalls.get());
        client.end();
        trace.awaitClosed();
        waiting().until(() -> closeCalls.get() == 1);
    }
}
