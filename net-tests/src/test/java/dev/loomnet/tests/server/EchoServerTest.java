package dev.loomnet.tests.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loomnet.examples.EchoServer;
import dev.loomnet.net.Server;
import dev.loomnet.net.Net;
import dev.loomnet.net.Socket;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmark's {@link EchoServer}: each variant echoes every byte of a stream larger than the kernel
 * buffers and the write queue's high-water mark (so its backpressure path runs), and closes after the
 * client's end.
 */
class EchoServerTest {

    private static final String HOST = "127.0.0.1";

    @ParameterizedTest
    @ValueSource(strings = {"events", "pipe", "streams"})
    void echoes_every_byte_and_ends_after_the_client(String variant) {
        byte[] sent = new byte[8 << 20];
        new SplittableRandom(variant.hashCode()).nextBytes(sent);
        Server server = EchoServer.create(variant).listen(0, HOST);
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        AtomicBoolean ended = new AtomicBoolean();
        AtomicBoolean closed = new AtomicBoolean();
        Socket client = Net.connect(server.address().port(), HOST)
                .on(Socket.DATA, echoed::writeBytes)
                .on(Socket.END, () -> ended.set(true))
                .on(Socket.CLOSE, hadError -> closed.set(!hadError));
        client.end(sent);
        await().atMost(Duration.ofSeconds(30)).until(closed::get);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connections() == 0);
        server.close();
        assertEquals(true, ended.get());
        assertArrayEquals(sent, echoed.toByteArray());
    }

    @Test
    void an_unknown_variant_is_refused_by_name() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EchoServer.create("blocking"));
        assertEquals("variant must be events, pipe or streams: blocking", e.getMessage());
    }
}
