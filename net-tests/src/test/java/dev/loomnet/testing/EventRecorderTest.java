package dev.loomnet.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link EventRecorder}: order, names, values, threads, waiting. */
class EventRecorderTest {

    @Test
    void records_a_clients_events_in_order_with_their_values() {
        try (TestServer server = TestServer.echo()) {
            Socket client = Net.socket();
            EventRecorder events = EventRecorder.withData(client);
            client.connect(server.port(), server.host(), () -> client.write("ping"));
            events.awaitEvent(Socket.DATA);
            client.end();
            EventRecorder.Recorded close = events.awaitEvent(Socket.CLOSE);

            assertEquals(Boolean.FALSE, close.arg());
            assertEquals("ping", events.text());
            // DATA may come in more than one chunk, and our FIN (finish) races the echo server's (end)
            List<String> names = events.names().stream().distinct().toList();
            assertEquals(List.of("connectionAttempt", "connect", "ready", "data"), names.subList(0, 4),
                    events.toString());
            assertEquals("close", names.get(names.size() - 1), events.toString());
            assertTrue(events.has(Socket.END) && events.has(Socket.FINISH), events.toString());
            List<EventRecorder.Recorded> all = events.events();
            assertEquals(IntStream.range(0, all.size()).boxed().toList(),
                    all.stream().map(EventRecorder.Recorded::order).toList());
            assertTrue(all.stream().allMatch(r -> r.thread().startsWith("loomnet-")), all::toString);
        }
    }

    @Test
    void of_socket_leaves_data_out_so_that_the_socket_does_not_start_reading() {
        try (TestServer server = TestServer.start(socket -> socket.end("hello"))) {
            Socket client = server.connect();
            EventRecorder events = EventRecorder.of(client);
            events.awaitEvent(Socket.CONNECT);
            assertFalse(events.has(Socket.DATA));
            assertEquals("", events.text());
        }
    }

    @Test
    void records_errors_with_their_error() {
        int closedPort;
        try (TestServer server = TestServer.echo()) {
            closedPort = server.port();
        }
        Socket client = Net.socket();
        EventRecorder events = EventRecorder.of(client);
        client.connect(closedPort, TestServer.HOST);
        events.awaitEvent(Socket.CLOSE);

        assertEquals(List.of("connectionAttempt", "connectionAttemptFailed", "error", "close"),
                events.names().stream().filter(n -> !n.equals("lookup")).toList());
        NetException error = (NetException) events.events(Socket.ERROR).get(0).arg();
        assertEquals("ECONNREFUSED", error.code());
        assertEquals(Boolean.TRUE, events.awaitEvent(Socket.CLOSE).arg());
    }

    @Test
    void records_a_servers_events() {
        Server server = Net.createServer(Socket::resume);
        EventRecorder events = EventRecorder.of(server);
        try (TestServer running = TestServer.listen(server)) {
            Socket client = running.connect();
            EventRecorder.Recorded connection = events.awaitEvent(Server.CONNECTION);
            assertSame(running.connections().get(0), connection.arg());
            client.end();
        }
        assertEquals(List.of("listening", "connection", "close"), events.names());
    }

    @Test
    void await_event_fails_with_what_was_recorded() {
        try (TestServer server = TestServer.echo()) {
            EventRecorder events = EventRecorder.of(server.connect());
            events.awaitEvent(Socket.CONNECT);
            AssertionError e = assertThrows(AssertionError.class,
                    () -> events.awaitEvent(Socket.TIMEOUT, Duration.ofMillis(50)));
            assertEquals("no 'timeout' within 50 ms; recorded [connectionAttempt, connect, ready]", e.getMessage());
        }
    }
}
