package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.Catalog;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The smallest exchange, over each {@link Transport}: echo, both ends, and the addresses each transport shows. */
class EchoSmokeTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(157)
    void a_client_gets_its_bytes_echoed_and_both_sides_close_cleanly(Transport transport) {
        List<String> events = new CopyOnWriteArrayList<>();
        Server server = transport.listen(Net.createServer(s -> s.on(Socket.DATA, s::write)), dir);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        List<String> peer = new CopyOnWriteArrayList<>();
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
        transport.connect(client, server, () -> {
            peer.add(client.remoteAddress() + " " + client.remoteFamily() + " " + client.remotePort());
            client.end("hello");
        });
        await().until(() -> events.contains("close:false"));
        assertEquals("hello", got.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("connect", "data", "end", "close:false"), events);
        // per transport: the loopback address, its family and the server's port; a Unix socket's path, no family, 0
        assertEquals(List.of(transport.peerAddress(server) + " " + transport.family() + " "
                + transport.peerPort(server)), peer);
        server.close();
    }
}
