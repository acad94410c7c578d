package dev.loomnet.docs.snippets;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The examples of docs/embedding.md. */
final class EmbeddingSnippets {

    private EmbeddingSnippets() {
    }

    static void shutdownHook() {
        // tag::embedding-shutdown[]
        Server server = Net.createServer(socket -> socket.pipe(socket)).listen(8080);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // stop accepting, end every connection, destroy what is still open after 10 s
                server.shutdown(Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("shutdown did not complete: " + e);
            }
        }));
        // end::embedding-shutdown[]
    }

    static void announce(Server server) {
        // tag::embedding-open-connections[]
        for (Socket connection : server.openConnections()) {
            connection.write("server going down\n");
        }
        // end::embedding-open-connections[]
    }

    static void uncaught() {
        // tag::embedding-uncaught[]
        Thread.setDefaultUncaughtExceptionHandler(
                (thread, error) -> System.err.println("unhandled on " + thread.getName() + ": " + error));
        // end::embedding-uncaught[]
    }
}
