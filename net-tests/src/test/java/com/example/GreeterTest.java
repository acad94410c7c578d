// tag::gs-test[]
package com.example;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class GreeterTest {

    @Test
    void greets_the_client_by_name_and_both_sides_close() {
        Server server = Greeter.start(0);                   // 0: any free port
        StringBuffer reply = new StringBuffer();            // thread-safe: the test thread reads it
        AtomicBoolean closed = new AtomicBoolean();

        Socket client = Net.connect(server.address().port(), "127.0.0.1");
        client.on(Socket.TEXT, reply::append);
        client.on(Socket.CLOSE, hadError -> closed.set(!hadError));
        client.end("test");

        await().atMost(Duration.ofSeconds(5)).untilTrue(closed);
        assertEquals("hello, test", reply.toString());
        server.close();
    }
}
// end::gs-test[]
