package dev.loomnet.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link TestServer}: an ephemeral loopback port, and a close that leaves nothing open. */
class TestServerTest {

    @Test
    void listens_on_an_ephemeral_loopback_port() {
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo()) {
            assertTrue(a.server().listening());
            assertEquals("127.0.0.1", a.host());
            assertTrue(a.port() > 0);
            assertNotEquals(a.port(), b.port());
            assertEquals(new InetSocketAddress("127.0.0.1", a.port()), a.address());
            assertEquals(a.port(), a.server().address().port());
        }
    }

    @Test
    void echoes() {
        try (TestServer server = TestServer.echo()) {
            Socket client = server.connect();
            EventRecorder events = EventRecorder.withData(client);
            client.end("hello");
            events.awaitEvent(Socket.CLOSE);
            assertEquals("hello", events.text());
        }
    }

    @Test
    void close_destroys_clients_and_connections_and_waits_for_their_close() {
        TestServer server = TestServer.start(Socket::resume);
        Socket client = server.connect();
        EventRecorder clientEvents = EventRecorder.of(client);
        clientEvents.awaitEvent(Socket.CONNECT);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 1);
        Socket accepted = server.connections().get(0);
        EventRecorder acceptedEvents = EventRecorder.of(accepted);

        server.close();

        clientEvents.awaitEvent(Socket.CLOSE);          // the recorder's listener runs after the kit's own
        assertTrue(client.destroyed());
        assertFalse(server.server().listening());
        assertTrue(server.connections().isEmpty());
        acceptedEvents.awaitEvent(Socket.CLOSE);
        server.close();                            // again: nothing more to do
    }

    @Test
    void listens_a_server_made_with_options() {
        Server made = Net.createServer(ServerOptions.builder().allowHalfOpen(true).build(),
                socket -> socket.on(Socket.END, () -> socket.end("bye")));
        try (TestServer server = TestServer.listen(made)) {
            Socket client = server.connect();
            EventRecorder events = EventRecorder.withData(client);
            client.end();
            events.awaitEvent(Socket.CLOSE);
            assertEquals("bye", events.text());
        }
    }
}
