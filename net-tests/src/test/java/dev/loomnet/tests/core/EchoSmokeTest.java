package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class EchoSmokeTest {

    @Test
    void a_client_gets_its_bytes_echoed_and_both_sides_close_cleanly() {
        List<String> events = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(s -> s.on(Socket.DATA, s::write)).listen(0, "127.0.0.1");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        Socket client = Net.socket()
                .on(Socket.CONNECT, () -> events.add("connect"))
                .on(Socket.DATA, chunk -> {
                    got.write(chunk);
                    if (got.size() == 5) {
                        events.add("data");
                    }
                })
                .on(Socket.END, () -> events.add("end"))
                .on(Socket.CLOSE, hadError -> events.add("close:" + hadError));
        client.connect(server.address().port(), "127.0.0.1", () -> client.end("hello"));
        await().until(() -> events.contains("close:false"));
        assertEquals("hello", got.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("connect", "data", "end", "close:false"), events);
        server.close();
    }
}
