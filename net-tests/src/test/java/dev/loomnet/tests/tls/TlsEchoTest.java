package dev.loomnet.tests.tls;

import static dev.loomnet.tests.tls.TlsFixtures.connect;
import static dev.loomnet.tests.tls.TlsFixtures.echo;
import static dev.loomnet.tests.tls.TlsFixtures.holdsFor;
import static dev.loomnet.tests.tls.TlsFixtures.random;
import static dev.loomnet.tests.tls.TlsFixtures.sha256;
import static dev.loomnet.tests.tls.TlsFixtures.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.tls.TlsFixtures.Log;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bytes through TLS over each {@link Transport} (TCP on 127.0.0.1 and ::1, a Unix domain socket): echoed both
 * ways, 32 MiB with the SHA-256 equal, and backpressure that counts plaintext as Node's does.
 */
class TlsEchoTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Transport.class)
    void a_client_gets_its_bytes_echoed_and_both_sides_close_cleanly(Transport transport) {
        TlsServer server = echo(transport, dir);
        TlsSocket client = connect(transport, server, b -> b);
        Log log = Log.of(client, true);
        client.on(TlsSocket.SECURE_CONNECT, () -> client.end("hello"));
        log.awaitClosed();
        assertEquals("hello", log.text());
        // Node's order; where the FINISH falls among the others depends on the peer's pace
        assertEquals(List.of("connect", "ready", "secureConnect", "data", "end", "close:false"),
                log.events.stream().filter(e -> !e.equals("finish")).toList());
        assertTrue(log.events.contains("finish"), log.events::toString);
        assertEquals("localhost", client.servername());
        assertTrue(client.encrypted());
        server.close();
    }

    /**
     * 32 MiB from the client in 64 KiB writes that follow {@code write()}'s answer, echoed by a server that
     * pauses while its own writes are over the high-water mark: every byte comes back, in order.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void thirty_two_mib_come_back_with_the_same_sha256(Transport transport) {
        TlsServer server = TlsFixtures.listen(transport, dir, ServerOptions.builder().build(),
                TlsFixtures.serverOptions().build(), s -> s.on(Socket.DATA, chunk -> {
                    if (!s.write(chunk)) {
                        s.pause();
                        s.onceDrain(s::resume);
                    }
                }));
        byte[] data = random(32 * MIB, 17);
        TlsSocket client = connect(transport, server, b -> b);
        Log log = Log.of(client, false);
        client.on(Socket.DATA, log::add);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger falses = new AtomicInteger();
        Runnable pump = new Runnable() {
            @Override
            public void run() {
                while (sent.get() < data.length) {
                    int n = Math.min(64 * 1024, data.length - sent.get());
                    byte[] chunk = java.util.Arrays.copyOfRange(data, sent.get(), sent.get() + n);
                    sent.addAndGet(n);
                    if (!client.write(chunk)) {
                        falses.incrementAndGet();
                        client.onceDrain(this::run);
                        return;
                    }
                }
            }
        };
        client.on(TlsSocket.SECURE_CONNECT, pump::run);
        waitFor().until(() -> log.size() == data.length || log.closed());
        assertEquals(sha256(data), sha256(log.received()));
        assertTrue(falses.get() > 0, "write() said false at least once");
        assertEquals(data.length, client.bytesWritten(), "bytesWritten counts plaintext");
        assertEquals(data.length, client.bytesRead(), "bytesRead counts plaintext");
        client.end();
        log.awaitClosed();
        assertEquals(List.of("connect", "ready", "secureConnect", "end", "close:false"),
                log.events.stream().filter(e -> !e.equals("finish")).toList());
        assertTrue(log.events.contains("finish"), log.events::toString);
        server.close();
    }

    /**
     * {@code bufferSize()} and {@code writableLength()} count the plaintext written and not yet sent; a write
     * beyond the high-water mark answers false and {@code DRAIN} follows once it is all out.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void buffer_size_counts_plaintext_and_drain_follows_a_false_write(Transport transport) {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        AtomicLong got = new AtomicLong();
        TlsServer server = TlsFixtures.listen(transport, dir, ServerOptions.builder().pauseOnConnect(true).build(),
                TlsFixtures.serverOptions().build(), s -> {
                    s.on(Socket.DATA, chunk -> got.addAndGet(chunk.length));
                    s.pause();
                    accepted.add(s);
                });
        TlsSocket client = connect(transport, server, b -> b);
        Log log = Log.of(client, false);
        List<String> drains = new CopyOnWriteArrayList<>();
        client.on(Socket.DRAIN, () -> drains.add("drain"));
        waitFor().until(() -> log.events.contains("secureConnect") && accepted.size() == 1);
        byte[] big = random(8 * MIB, 3);
        assertFalse(client.write(big), "8 MiB is over the 64 KiB high-water mark");
        // the server reads nothing, so much of it stays queued; what is queued is plaintext, never more than written
        holdsFor(100).until(() -> client.bufferSize() > 0 && client.bufferSize() <= big.length);
        assertEquals(client.writableLength(), client.bufferSize());
        assertTrue(drains.isEmpty());
        accepted.get(0).resume();
        waitFor().until(() -> got.get() == big.length);
        waitFor().until(() -> drains.size() == 1);
        assertEquals(0, client.bufferSize());
        assertEquals(big.length, client.bytesWritten());
        client.destroy();
        log.awaitClosed();
        server.close();
    }

    /** The server writes first, the client echoes: bytes flow the other way as well. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void the_server_writes_and_the_client_echoes(Transport transport) {
        byte[] data = random(4 * MIB, 5);
        Log serverSide = new Log();
        TlsServer server = TlsFixtures.listen(transport, dir, ServerOptions.builder().allowHalfOpen(true).build(),
                TlsFixtures.serverOptions().build(), s -> {
                    s.on(Socket.DATA, serverSide::add);
                    s.on(Socket.END, () -> serverSide.events.add("end"));
                    s.end(data);
                });
        TlsSocket client = connect(transport, server, b -> b);
        client.on(Socket.DATA, chunk -> {
            if (!client.write(chunk)) {
                client.pause();
                client.onceDrain(client::resume);
            }
        });
        Log log = Log.of(client, false);
        log.awaitClosed();
        waitFor().until(() -> serverSide.events.contains("end"));
        assertArrayEquals(data, serverSide.received());
        assertTrue(log.errors.isEmpty(), log.events::toString);
        server.close();
    }
}
