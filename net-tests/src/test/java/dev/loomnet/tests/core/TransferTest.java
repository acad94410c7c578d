package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Callback;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.Catalog;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 1 MiB each way, checked by SHA-256, with exact bytesRead/bytesWritten on both ends; bytesWritten of encoded
 * text and of data queued while connecting; {@code end()} of 10,000,000 bytes (catalog #87, #89, #90). Each runs
 * over every {@link Transport}; the one that holds the connect in its lookup over TCP only.
 */
class TransferTest {

    @TempDir
    Path dir;

    private static final int SIZE = 1 << 20;
    /** Node's N in test-net-bytes-written-large (#89). */
    private static final int TEN_MILLION = 10_000_000;

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

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog({87, 90, 94})
    void one_mebibyte_from_client_to_server_arrives_intact_with_exact_byte_counts(Transport transport) {
        byte[] data = payload(42);
        AtomicReference<Socket> accepted = new AtomicReference<>();
        AtomicReference<Sink> serverSink = new AtomicReference<>();
        Server server = transport.listen(Net.createServer(s -> {
            serverSink.set(new Sink(s));
            accepted.set(s);
        }), dir);

        Socket client = Net.socket();
        EventLog log = EventLog.of(client);
        // 64 writes of 16 KiB: many calls pass the high-water mark and must still all arrive (#94)
        transport.connect(client, server, () -> {
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

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog({87, 90})
    void one_mebibyte_from_server_to_client_arrives_intact_with_exact_byte_counts(Transport transport) {
        byte[] data = payload(7);
        AtomicReference<Socket> accepted = new AtomicReference<>();
        Server server = transport.listen(Net.createServer(s -> {
            accepted.set(s);
            s.resume();
            s.end(data);                                  // one 1 MiB chunk
        }), dir);

        Socket client = Net.socket();
        Sink sink = new Sink(client);
        EventLog log = EventLog.withoutData(client);
        transport.connect(client, server);
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

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"TCP4", "TCP6"})       // held in its lookup: a socket file has none
    @Catalog(87)
    void bytes_written_counts_encoded_bytes_of_data_queued_while_connecting_and_only_once(Transport transport)
            throws Exception {
        // #87, Node's test-net-connect-buffer: every write below is made while the socket is connecting (the
        // lookup is held), so all of it waits for the connection; bytesWritten counts it at once, in bytes of
        // its encoding rather than characters, and does not count it again when it is flushed.
        AtomicReference<Socket> accepted = new AtomicReference<>();
        AtomicReference<EventLog> serverLog = new AtomicReference<>();
        Server server = transport.listen(Net.createServer(s -> {
            serverLog.set(EventLog.of(s));
            accepted.set(s);
        }), dir);

        Socket client = Net.socket(SocketOptions.builder().highWaterMark(0).build());
        EventLog log = EventLog.of(client);
        CountDownLatch lookup = new CountDownLatch(1);
        transport.connectHeld(client, server, lookup);
        AtomicLong atCallback = new AtomicLong(-1);
        Map<String, Long> counts = new ConcurrentHashMap<>();
        String a = "L'État, c'est ";                                          // 14 characters, 15 bytes
        boolean result = client.write(a, e -> atCallback.set(e == null ? client.bytesWritten() : -2));
        counts.put("a", client.bytesWritten());
        client.write("héllo€", StandardCharsets.UTF_8);                       // 1 + 2 + 1 + 1 + 1 + 3 bytes
        counts.put("utf-8", client.bytesWritten());
        client.write("héllo€", StandardCharsets.UTF_16LE);                    // 2 bytes per character
        counts.put("utf-16le", client.bytesWritten());
        client.end("moi");
        counts.put("end", client.bytesWritten());
        boolean stillConnecting = client.connecting();
        lookup.countDown();
        log.awaitClosed();
        await().atMost(EventLog.WAIT).until(() -> accepted.get() != null && accepted.get().destroyed());
        Loopback.closeAndWait(server);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(a.getBytes(StandardCharsets.UTF_8));
        expected.writeBytes("héllo€".getBytes(StandardCharsets.UTF_8));
        expected.writeBytes("héllo€".getBytes(StandardCharsets.UTF_16LE));
        expected.writeBytes("moi".getBytes(StandardCharsets.UTF_8));
        assertTrue(stillConnecting, "every write was made before the connection existed");
        assertFalse(result, "highWaterMark 0: false while connecting (#86)");
        assertEquals(Map.of("a", 15L, "utf-8", 24L, "utf-16le", 36L, "end", 39L), counts);
        assertEquals(39, atCallback.get(), "the write callback sees every write and the end data");
        assertEquals(39, client.bytesWritten(), "flushing did not count the queued bytes again");
        assertArrayEquals(expected.toByteArray(), serverLog.get().received());
        assertEquals(39, accepted.get().bytesRead());
        // our FIN (finish) and the peer's FIN (end) race; both come after ready and before close
        assertEquals(List.of("connect", "ready", "end", "close:false"),
                log.events.stream().filter(e -> !e.equals("finish") && !e.equals("data")).toList());
        int finish = log.events.indexOf("finish");
        assertTrue(finish > log.events.indexOf("ready") && finish < log.events.indexOf("close:false"),
                log.events.toString());
    }

    /** What a test's connection listener does, given the callback to pass to {@code end}. */
    private interface LargeEnd {
        void write(Socket socket, Callback endCallback, Map<String, Object> seen);
    }

    /**
     * #89, Node's test-net-bytes-written-large: the server's connection listener ends the connection with
     * {@code total} bytes. A write first hands the kernel what it takes without blocking and queues the rest
     * (here, in the listener on the connection's own thread, as in Node); bytesWritten must count both parts,
     * right after the call and in the end callback, and the client must read exactly {@code total}.
     */
    private Map<String, Object> assertLargeEnd(Transport transport, long total, LargeEnd writer) {
        Map<String, Object> seen = new ConcurrentHashMap<>();
        AtomicReference<Socket> accepted = new AtomicReference<>();
        Server server = transport.listen(Net.createServer(s -> {
            accepted.set(s);
            s.resume();                      // a loomnet socket that never reads never sees the client's FIN
            writer.write(s, e -> seen.put("end callback", e == null ? s.bytesWritten() : e), seen);
            seen.put("returned", s.bytesWritten());
        }), dir);

        Socket client = Net.socket();
        EventLog log = EventLog.withoutData(client);
        client.resume();
        transport.connect(client, server);
        log.awaitClosed();
        await().atMost(EventLog.WAIT).until(() -> accepted.get() != null && accepted.get().destroyed());
        Loopback.closeAndWait(server);

        assertEquals(total, seen.get("returned"), "synchronously, most of it still queued");
        assertEquals(total, seen.get("end callback"));
        assertEquals(total, accepted.get().bytesWritten(), "kept after close");
        assertEquals(total, client.bytesRead());
        assertEquals(List.of("connect", "ready", "end", "finish", "close:false"), log.events);
        return seen;
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(89)
    void end_of_a_ten_million_byte_array_counts_every_byte_at_once_and_in_the_callback(Transport transport) { // #89
        assertLargeEnd(transport, TEN_MILLION, (s, cb, seen) -> s.end(new byte[TEN_MILLION], cb));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(89)
    void end_of_a_ten_million_character_string_counts_every_byte_at_once_and_in_the_callback(Transport transport) {
        assertLargeEnd(transport, TEN_MILLION,                                                          // #89
                (s, cb, seen) -> s.end("a".repeat(TEN_MILLION), StandardCharsets.UTF_8, cb));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(89)
    void corked_string_and_array_of_ten_million_bytes_each_add_up_then_end_sends_them(Transport transport) { // #89
        Map<String, Object> seen = assertLargeEnd(transport, 2L * TEN_MILLION, (s, cb, map) -> {
            s.cork();
            s.write("a".repeat(TEN_MILLION));
            map.put("after the string", s.bytesWritten());
            s.write(new byte[TEN_MILLION]);
            map.put("after the array", s.bytesWritten());
            s.end("", StandardCharsets.UTF_8, cb);
            s.uncork();
        });
        assertEquals((long) TEN_MILLION, seen.get("after the string"));
        assertEquals(2L * TEN_MILLION, seen.get("after the array"));
    }
}
