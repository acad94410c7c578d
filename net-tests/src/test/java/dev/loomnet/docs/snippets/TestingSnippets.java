package dev.loomnet.docs.snippets;

import static org.awaitility.Awaitility.await;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.spi.NetProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The examples of docs/testing.md (not a test class: its name does not end in Test). */
class TestingSnippets {

    static void when() throws Exception {
        // tag::testing-when[]
        Server server = Net.createServer(c -> c.end("hi")).listen(0, "127.0.0.1");
        Socket client = Net.connect(server.address().port(), "127.0.0.1");
        byte[] greeting = client.when(Socket.DATA).get(5, TimeUnit.SECONDS);    // fails at once on ERROR
        client.when(Socket.CLOSE).get(5, TimeUnit.SECONDS);
        server.close();
        // end::testing-when[]
        System.out.println(greeting.length);
    }

    private final List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler previous;

    @BeforeEach
    void record_unhandled_errors() {
        previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> unhandled.add(error));
    }

    @AfterEach
    void nothing_leaked_and_nothing_unhandled() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Net.provider().handles().equals(new NetProvider.Handles(0, 0, 0)));
        Thread.setDefaultUncaughtExceptionHandler(previous);
        if (!unhandled.isEmpty()) {
            throw new AssertionError("unhandled: " + unhandled);
        }
    }
}
