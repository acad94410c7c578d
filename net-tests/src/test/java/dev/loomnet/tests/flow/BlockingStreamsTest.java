package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.holdsFor;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The blocking style: {@code inputStream()} and {@code outputStream()} beside the events. */
class BlockingStreamsTest {

    @Test
    void outputStream_blocks_at_the_high_water_mark_and_unblocks_when_the_peer_reads() throws Exception {
        int hwm = 16 * 1024;
        long total = 32L << 20;                                        // more than the kernel takes from a non-reader
        byte[] chunk = new byte[64 * 1024];
        AtomicLong received = new AtomicLong();
        AtomicBoolean peerEnded = new AtomicBoolean();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, c -> received.addAndGet(c.length))
                .on(Socket.END, () -> peerEnded.set(true)));
        Server server = Net.createServer(ServerOptions.builder().pauseOnConnect(true).build(), accepted)
                .listen(0, HOST);
        Socket client = Net.socket(SocketOptions.builder().highWaterMark(hwm).build()).resume();
        Trace t = Trace.ofLifecycle(client);
        client.connect(port(server), HOST);
        Socket peer = accepted.next();

        AtomicLong progress = new AtomicLong();
        AtomicLong maxQueuedAfterWrite = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().name("test-writer").start(() -> {
            try (OutputStream out = client.outputStream()) {               // close() ends the socket
                while (progress.get() < total) {
                    out.write(chunk);
                    maxQueuedAfterWrite.accumulateAndGet(client.writableLength(), Math::max);
                    progress.addAndGet(chunk.length);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        AtomicLong last = new AtomicLong(-1);
        holdsFor(300).until(() -> last.getAndSet(progress.get()) == progress.get() && progress.get() > 0);
        assertTrue(progress.get() < total, "never blocked");
        assertEquals(Thread.State.WAITING, writer.getState());
        assertTrue(client.writableLength() >= hwm, "blocked below the high-water mark: " + client.writableLength());

        peer.resume();
        assertTrue(writer.join(Duration.ofSeconds(30)), "the writer did not unblock");
        assertNull(failure.get());
        waitFor().until(() -> peerEnded.get() && t.closed() && peer.destroyed());
        server.close();
        assertEquals(total, received.get());
        assertTrue(maxQueuedAfterWrite.get() < hwm, "write returned with " + maxQueuedAfterWrite.get() + " queued");
    }

    @Test
    void inputStream_reads_to_the_end_with_exact_bytesRead_and_END_and_CLOSE_still_emitted() throws Exception {
        byte[] data = Flow.randomBytes(300_000, 7);
        Server server = Net.createServer(s -> s.resume().end(data)).listen(0, HOST);
        Socket client = Net.socket();
        Trace t = Trace.ofLifecycle(client);
        client.connect(port(server), HOST);
        InputStream in = client.inputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n, reads = 0; (n = in.read(buf)) >= 0 && reads < 1_000_000; reads++) {
            got.write(buf, 0, n);
            // bytesRead counts what left the kernel, read ahead included (Node: what reached the socket's buffer)
            assertTrue(client.bytesRead() >= got.size(), client.bytesRead() + " < " + got.size());
        }
        assertEquals(-1, in.read());
        assertArrayEquals(data, got.toByteArray());
        waitFor().until(t::closed);
        server.close();
        assertEquals(data.length, client.bytesRead());
        assertEquals(List.of("end:writeOnly", "finish:closed", "close:false"), t.events);
    }

    @Test
    void the_input_stream_refuses_to_read_while_DATA_listeners_read_the_socket() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        Server server = Net.createServer(accepted).listen(0, HOST);
        AtomicBoolean connected = new AtomicBoolean();
        Socket client = Net.socket().on(Socket.DATA, chunk -> { });
        client.connect(port(server), HOST, () -> connected.set(true));
        Socket peer = accepted.next();
        waitFor().until(connected::get);
        assertThrows(IllegalStateException.class, () -> client.inputStream().read());
        client.destroy();
        waitFor().until(peer::destroyed);
        server.close();
    }

    @Test
    void flush_succeeds_when_the_socket_closed_after_its_last_byte_left_and_fails_when_bytes_were_lost()
            throws Exception {
        // The race this pins: a flush whose bytes all left, then the FIN and the automatic destroy of a socket
        // without allowHalfOpen, all before the flushing thread woke up. That flush completed.
        Flow.Accepted accepted = new Flow.Accepted();
        Server server = Net.createServer(accepted).listen(0, HOST);
        Socket client = Net.socket();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        client.on(Socket.DATA, received::writeBytes);
        client.connect(port(server), HOST);
        Socket sent = accepted.next();
        OutputStream out = sent.outputStream();
        out.write("all of it".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        waitFor().until(() -> sent.writableLength() == 0);
        sent.destroy();
        out.flush();                                                   // nothing was lost: no exception
        waitFor().until(() -> received.size() == 9);

        Socket stalled = Net.socket().pause();                         // reads nothing: the bytes must queue
        stalled.connect(port(server), HOST);
        Socket lost = accepted.next();
        lost.write(new byte[32 << 20]);
        waitFor().until(() -> lost.writableLength() > 0);
        lost.destroy();
        IOException e = assertThrows(IOException.class, () -> lost.outputStream().flush());
        assertEquals("socket was destroyed while flushing", e.getMessage());
        client.destroy();
        stalled.destroy();
        waitFor().until(() -> client.destroyed() && stalled.destroyed());
        server.close();
    }

    @Test
    void an_echo_on_the_connections_own_thread_may_reuse_its_array_as_soon_as_write_returns() throws Exception {
        assertEchoedIntact(false);
    }

    @Test
    void a_writer_on_another_thread_may_reuse_its_array_as_soon_as_write_returns() throws Exception {
        assertEchoedIntact(true);
    }

    /**
     * A blocking-style echo that scribbles over its one array after every {@code write}, against a client that
     * reads nothing at first: the echo's writes fill the kernel buffers, so part of them must wait in the
     * queue, and only a copy keeps those bytes intact. Every byte must come back as sent.
     */
    private static void assertEchoedIntact(boolean writeFromAnotherThread) throws Exception {
        byte[] sent = Flow.randomBytes(16 << 20, 11);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Socket> serverSide = new AtomicReference<>();
        Server server = Net.createServer(socket -> {
            serverSide.set(socket);
            Runnable echo = () -> {
                try (OutputStream out = socket.outputStream()) {
                    InputStream in = socket.inputStream();
                    byte[] buffer = new byte[8192];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        out.write(buffer, 0, n);
                        Arrays.fill(buffer, (byte) 0x5A);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            };
            if (writeFromAnotherThread) {
                Thread.ofVirtual().name("test-echo").start(echo);
            } else {
                echo.run();                                            // the connection's own thread
            }
        }).listen(0, HOST);
        Socket client = Net.socket();
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        AtomicBoolean ended = new AtomicBoolean();
        client.connect(port(server), HOST);
        client.end(sent);
        waitFor().until(() -> serverSide.get() != null && serverSide.get().writableLength() > 0);
        client.on(Socket.DATA, echoed::writeBytes).on(Socket.END, () -> ended.set(true));
        waitFor().atMost(Duration.ofSeconds(30)).until(ended::get);
        waitFor().until(() -> client.destroyed() && serverSide.get().destroyed());
        server.close();
        assertNull(failure.get());
        assertArrayEquals(sent, echoed.toByteArray());
    }

    @Test
    void transferTo_forwards_small_bulk_and_small_writes_again_and_returns_the_count() throws Exception {
        // Small writes, then bulk, then small again: the stream's buffer grows and shrinks on the way.
        List<byte[]> writes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            writes.add(Flow.randomBytes(1 + i * 7, i));
        }
        writes.add(Flow.randomBytes(3 << 20, 99));
        for (int i = 0; i < 30; i++) {
            writes.add(Flow.randomBytes(5 + i, 100 + i));
        }
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        writes.forEach(sent::writeBytes);
        AtomicLong transferred = new AtomicLong(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Server server = Net.createServer(socket -> {
            try (OutputStream out = socket.outputStream()) {
                transferred.set(socket.inputStream().transferTo(out));
            } catch (Throwable e) {
                failure.set(e);
            }
        }).listen(0, HOST);
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        AtomicBoolean ended = new AtomicBoolean();
        Socket client = Net.connect(port(server), HOST)
                .on(Socket.DATA, echoed::writeBytes)
                .on(Socket.END, () -> ended.set(true));
        for (int i = 0; i < writes.size(); i++) {
            client.write(writes.get(i));
            long upTo = prefix(writes, i + 1);                       // one write at a time through the echo
            waitFor().until(() -> echoed.size() >= upTo);
        }
        client.end();
        waitFor().until(() -> ended.get() && client.destroyed());
        server.close();
        assertNull(failure.get());
        assertEquals(sent.size(), transferred.get());
        assertArrayEquals(sent.toByteArray(), echoed.toByteArray());
    }

    private static long prefix(List<byte[]> writes, int count) {
        return writes.subList(0, count).stream().mapToLong(w -> w.length).sum();
    }

    @Test
    void transferTo_throws_when_the_peer_resets_and_the_socket_reports_ECONNRESET() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Throwable> reported = new AtomicReference<>();
        AtomicBoolean closed = new AtomicBoolean();
        AtomicReference<Socket> serverSide = new AtomicReference<>();
        Server server = Net.createServer(socket -> {
            serverSide.set(socket);
            socket.on(Socket.ERROR, reported::set).on(Socket.CLOSE, hadError -> closed.set(true));
            try (OutputStream out = socket.outputStream()) {
                socket.inputStream().transferTo(out);
            } catch (IOException e) {
                thrown.set(e);
            }
        }).listen(0, HOST);
        AtomicBoolean echoed = new AtomicBoolean();
        Socket client = Net.connect(port(server), HOST).on(Socket.DATA, c -> echoed.set(true));
        client.write(Flow.randomBytes(10_000, 12));
        waitFor().until(echoed::get);                                   // transferTo is running
        client.resetAndDestroy();
        waitFor().until(() -> thrown.get() != null && closed.get());
        server.close();
        assertEquals("ECONNRESET", ((NetException) reported.get()).code());
        assertTrue(serverSide.get().destroyed());
    }
}
