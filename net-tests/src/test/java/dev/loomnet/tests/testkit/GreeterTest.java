package dev.loomnet.tests.testkit;

// tag::testkit-example[]
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.EventRecorder;
import dev.loomnet.testing.LoomnetExtension;
import dev.loomnet.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LoomnetExtension.class)
class GreeterTest {

    /** The server under test: greets each client and ends the connection. */
    static Server greeter() {
        return Net.createServer(socket -> socket.end("hello\n"));
    }

    @Test
    void greets_then_ends() {
        try (TestServer server = TestServer.listen(greeter())) {
            Socket client = server.connect();
            EventRecorder events = EventRecorder.withData(client);

            events.awaitEvent(Socket.CLOSE);

            assertEquals("hello\n", events.text());
            assertEquals(List.of("connectionAttempt", "connect", "ready", "data", "end", "finish", "close"),
                    events.names());
        }
    }

    @Test
    void forgets_a_client_that_left() {
        try (TestServer server = TestServer.echo()) {
            Socket client = server.connect();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.connections().size() == 1);

            client.end();

            await().atMost(Duration.ofSeconds(5)).until(() -> server.connections().isEmpty());
        }
    }
}
// end::testkit-example[]
