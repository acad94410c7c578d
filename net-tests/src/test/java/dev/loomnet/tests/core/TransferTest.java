package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** 1 MiB each way, checked by SHA-256, with exact bytesRead/bytesWritten on both ends (catalog #87, #89, #90). */
class TransferTest {

    private static final int SIZE = 1 << 20;

    private static byte[] payload(long seed) {
        byte[] data = new byte[SIZE];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static byte[] sha256(byte[] data) {
        return digest().digest(data);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Receives on {@code s} into a digest; records bytesRead at END (#90). */
    private static final class Sink {
        final MessageDigest digest = digest();
        final AtomicLong count = new AtomicLong();
        final AtomicLong bytesReadAtEnd = new AtomicLong(-1);
        volatile byte[] hash;

        Sink(Socket s) {
            s.on(Socket.DATA, chunk -> {
                digest.update(chunk);                 // events of one socket never overlap: no lock needed
                count.addAndGet(chunk.length);
            }).on(Socket.END, () -> {
                bytesReadAtEnd.set(s.bytesRead());
                hash = digest.digest();
            });
        }
    }

    @Test
    void one_mebibyte_from_client_to_server_arrives_intact_with_exact_byte_counts() {
        byte[] data = payload(42);
        AtomicReference<Socket> accepted = new AtomicReference<>();
        AtomicReference<Sink> serverSink = new AtomicReference<>();
        Server server = Net.createServer(s -> {
            serverSink.set(new Sink(s));
            accepted.set(s);
        }).listen(0, Loopback.V4);

        Socket client = Net.socket();
        EventLog log = EventLog.of(client);
        // 64 writes of 16 KiB: many calls pass the high-water mark and must still all arrive (#94)
        client.connect(server.address().port(), Loopback.V4, () -> {
            for (int off = 0; off < SIZE; off += 16 * 1024) {
                client.write(Arrays.copyOfRange(data, off, off + 16 * 1024));
            }
            client.end();
        });
        log.awaitClosed();
        await().atMost(EventLog.WAIT).until(() -> accepted.get() != null && accepted.get().destroyed());
        Loopback.closeAndWait(server);

        Sink sink = serverSink.get();
        assertArrayEquals(sha256(data), sink.hash);
        assertEquals(SIZE, sink.count.get());
        assertEquals(SIZE, sink.bytesReadAtEnd.get());
        assertEquals(SIZE, accepted.get().bytesRead(), "kept after close");
        assertEquals(0, accepted.get().bytesWritten());
        assertEquals(SIZE, client.bytesWritten(), "kept after close");
        assertEquals(0, client.bytesRead());
        // our FIN (finish) and the peer's FIN (end) race; both come before close
        assertEquals(java.util.List.of("connect", "ready", "end", "close:false"),
                log.events.stream().filter(e -> !e.equals("finish")).toList());
        int finish = log.events.indexOf("finish");
        assertTrue(finish >= 2 && finish < log.events.indexOf("close:false"), log.events.toString());
    }

    @Test
    void one_mebibyte_from_server_to_client_arrives_intact_with_exact_byte_counts() {
        byte[] data = payload(7);
        AtomicReference<Socket> accepted = new AtomicReference<>();
        Server server = Net.createServer(s -> {
            accepted.set(s);
            s.resume();
            s.end(data);                                  // one 1 MiB chunk
        }).listen(0, Loopback.V4);

        Socket client = Net.socket();
        Sink sink = new Sink(client);
        EventLog log = EventLog.withoutData(client);
        client.connect(server.address().port(), Loopback.V4);
        log.awaitClosed();
        await().atMost(EventLog.WAIT).until(() -> accepted.get() != null && accepted.get().destroyed());
        Loopback.closeAndWait(server);

        assertArrayEquals(sha256(data), sink.hash);
        assertEquals(SIZE, sink.count.get());
        assertEquals(SIZE, sink.bytesReadAtEnd.get());
        assertEquals(SIZE, client.bytesRead(), "kept after close");
        assertEquals(0, client.bytesWritten());
        assertEquals(SIZE, accepted.get().bytesWritten());
        assertEquals(0, accepted.get().bytesRead());
        assertEquals(java.util.List.of("connect", "ready", "end", "finish", "close:false"), log.events);
    }
}
