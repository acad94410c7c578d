package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How reads become {@code data} chunks: the read buffer starts small and shrinks while a connection idles, but
 * a message that is already waiting in the kernel when it is read arrives as one chunk, up to 32 KiB (Node reads
 * up to 64 KiB at once), however small the buffer was.
 */
class ReadChunkTest {

    @ParameterizedTest
    @ValueSource(ints = {129, 1000, 2049, 20_000, 32 * 1024})
    void a_first_message_written_at_once_arrives_as_one_chunk(int size) throws Exception {
        byte[] message = Flow.randomBytes(size, size);
        List<byte[]> chunks = firstMessageChunks(message, null);
        assertEquals(1, chunks.size(), "chunks: " + sizes(chunks));
        assertArrayEquals(message, chunks.get(0));
    }

    @Test
    void a_message_above_32_KiB_arrives_in_32_KiB_chunks() throws Exception {
        byte[] message = Flow.randomBytes(32 * 1024 + 1000, 3);
        List<byte[]> chunks = firstMessageChunks(message, null);
        assertEquals(List.of(32 * 1024, 1000), sizes(chunks));
        assertArrayEquals(message, concat(chunks));
    }

    @Test
    void after_idling_with_small_messages_a_large_one_still_arrives_as_one_chunk() throws Exception {
        List<byte[]> chunks = new CopyOnWriteArrayList<>();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, chunks::add));
        Server server = Net.createServer(accepted).listen(0, HOST);
        Socket client = Net.connect(port(server), HOST);
        Socket peer = accepted.next();
        client.write(Flow.randomBytes(4000, 1));                       // grows the buffer first
        waitFor().until(() -> peer.bytesRead() == 4000);
        for (int i = 0; i < 20; i++) {                                  // small reads shrink it again
            client.write(new byte[] {(byte) i, 1, 2, 3, 4, 5, 6, 7, 8, 9});
            long expected = 4000 + 10L * (i + 1);
            waitFor().until(() -> peer.bytesRead() == expected);
        }
        byte[] large = Flow.randomBytes(10_000, 2);
        client.write(large);
        waitFor().until(() -> peer.bytesRead() == 4200 + large.length);
        client.destroy();
        waitFor().until(peer::destroyed);
        server.close();
        assertArrayEquals(large, chunks.get(chunks.size() - 1), "chunks: " + sizes(chunks));
    }

    @ParameterizedTest
    @ValueSource(ints = {129, 1000, 2049, 20_000, 32 * 1024})
    void on_a_unix_domain_socket_a_first_message_written_at_once_arrives_as_one_chunk(int size,
                                                                                       @TempDir Path dir)
            throws Exception {
        // the JDK has no FIONREAD for Unix sockets: the read loop reads on without blocking instead
        byte[] message = Flow.randomBytes(size, size);
        List<byte[]> chunks = firstMessageChunks(message, dir.resolve("s.sock"));
        assertEquals(1, chunks.size(), "chunks: " + sizes(chunks));
        assertArrayEquals(message, chunks.get(0));
    }

    @Test
    void a_unix_socket_whose_writer_is_blocked_on_a_peer_that_does_not_read_still_reads_every_byte(
            @TempDir Path dir) throws Exception {
        // Reading on without blocking means switching the channel's blocking mode, which waits for its write
        // lock; a writer blocked on this peer holds that lock until the peer reads. The read loop must not wait.
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Flow.Accepted accepted = new Flow.Accepted(s -> {
            s.on(Socket.DATA, received::writeBytes).on(Socket.ERROR, e -> { });   // the reset at the end
            s.write(new byte[32 << 20]);                               // far more than the kernel buffers
        });
        Server server = Net.createServer(accepted).listen(dir.resolve("w.sock"));
        Socket client = Net.socket().pause();                          // reads nothing: the writer blocks
        client.connect(dir.resolve("w.sock"));
        Socket peer = accepted.next();
        waitFor().until(() -> peer.writableLength() > 0 && peer.bytesWritten() == 32 << 20);
        byte[] message = Flow.randomBytes(5000, 6);
        client.write(message);
        waitFor().until(() -> peer.bytesRead() == message.length);
        client.destroy();
        waitFor().until(peer::destroyed);
        server.close();
        assertArrayEquals(message, received.toByteArray());
    }

    @Test
    void a_reset_right_after_a_message_loses_none_of_the_bytes_read_before_ECONNRESET() throws Exception {
        byte[] message = Flow.randomBytes(5000, 5);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean closed = new AtomicBoolean();
        Flow.Accepted accepted = new Flow.Accepted(s -> s
                .on(Socket.DATA, c -> {
                    received.writeBytes(c);
                    events.add("data");
                })
                .on(Socket.ERROR, e -> {
                    error.set(e);
                    events.add("error");
                })
                .on(Socket.CLOSE, hadError -> closed.set(true)));
        Server server = Net.createServer(accepted).listen(0, HOST);
        AtomicBoolean connected = new AtomicBoolean();
        Socket client = Net.connect(port(server), HOST, () -> connected.set(true));
        Socket peer = accepted.next();
        waitFor().until(connected::get);
        client.write(message);
        client.resetAndDestroy();
        waitFor().until(closed::get);
        server.close();
        byte[] got = received.toByteArray();
        assertArrayEquals(Arrays.copyOf(message, got.length), got, "not a prefix of what was sent");
        assertEquals(peer.bytesRead(), got.length);
        if (error.get() != null) {
            assertEquals("ECONNRESET", ((NetException) error.get()).code());
            assertEquals("error", events.get(events.size() - 1), "bytes after the error: " + events);
        } else {
            assertEquals(message.length, got.length, "neither every byte nor an error");
        }
    }

    /**
     * Connects to a new server (TCP on loopback, or the Unix socket {@code path}), writes {@code message} at
     * once as the connection's first bytes, and returns the {@code data} chunks the server received for it.
     */
    private static List<byte[]> firstMessageChunks(byte[] message, @Nullable Path path) throws Exception {
        List<byte[]> chunks = new CopyOnWriteArrayList<>();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, chunks::add));
        Server server = Net.createServer(accepted);
        Socket client;
        if (path == null) {
            client = Net.connect(port(server.listen(0, HOST)), HOST);
        } else {
            server.listen(path);
            client = Net.connect(path);
        }
        Socket peer = accepted.next();
        client.write(message);
        waitFor().until(() -> peer.bytesRead() == message.length);
        client.destroy();
        waitFor().until(peer::destroyed);
        server.close();
        return chunks;
    }

    private static List<Integer> sizes(List<byte[]> chunks) {
        return chunks.stream().map(c -> c.length).toList();
    }

    private static byte[] concat(List<byte[]> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(out::writeBytes);
        assertTrue(out.size() > 0);
        return out.toByteArray();
    }
}
