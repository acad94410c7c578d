package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.holdsFor;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.OnRead;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.tests.Catalog;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** Node's {@code onread} option (catalog #84, test-net-onread-static-buffer.js). */
class OnReadTest {

    /** Collects what the callback saw, under a lock (the callback runs on the socket's event thread). */
    static final class Seen {
        final ReentrantLock lock = new ReentrantLock();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CopyOnWriteArrayList<byte[]> arrays = new CopyOnWriteArrayList<>();

        void add(int nread, byte[] buffer) {
            lock.lock();
            try {
                bytes.write(buffer, 0, nread);
                arrays.add(buffer);
            } finally {
                lock.unlock();
            }
        }

        String text() {
            lock.lock();
            try {
                return bytes.toString(StandardCharsets.UTF_8);
            } finally {
                lock.unlock();
            }
        }
    }

    /** A socket with {@code onread}, not yet connected (so listeners can be attached first). */
    private static Socket withOnRead(OnRead onread) {
        return Net.socket(SocketOptions.builder().onread(onread).build());
    }

    @Test
    @Catalog(84)
    void a_static_buffer_receives_every_read_and_no_data_event_is_emitted() throws Exception {
        Server server = Net.createServer(s -> s.resume().end("hello world")).listen(0, HOST);
        byte[] buffer = new byte[2];
        Seen seen = new Seen();
        Socket client = withOnRead(OnRead.of(buffer, (nread, buf) -> {
            seen.add(nread, buf);
            return true;
        }));
        Trace t = Trace.ofLifecycle(client);
        AtomicInteger dataEvents = new AtomicInteger();
        client.on(Socket.DATA, chunk -> dataEvents.incrementAndGet());
        client.connect(port(server), HOST);
        waitFor().until(t::closed);
        server.close();
        assertEquals("hello world", seen.text());
        assertEquals(0, dataEvents.get(), "onread replaces DATA events");
        assertTrue(seen.arrays.stream().allMatch(b -> b == buffer), "the callback gets the same buffer");
        assertEquals(6, seen.arrays.size(), "11 bytes through a 2-byte buffer: 6 reads");
        assertEquals(1, t.count("end:"), "END still comes at EOF: " + t);
    }

    @Test
    @Catalog(84)
    void a_buffer_function_is_asked_once_up_front_and_again_after_every_read() throws Exception {
        Server server = Net.createServer(s -> s.resume().end("hello world")).listen(0, HOST);
        AtomicInteger calls = new AtomicInteger();
        Seen seen = new Seen();
        Socket client = Net.connect(ConnectOptions.builder().port(port(server)).host(HOST)
                .onread(OnRead.of(() -> {
                    calls.incrementAndGet();
                    return new byte[2];
                }, (nread, buf) -> {
                    seen.add(nread, buf);
                    return true;
                })).build());
        waitFor().until(client::destroyed);
        server.close();
        assertEquals("hello world", seen.text());
        assertEquals(7, calls.get(), "Node's count for an 11-byte message with 2-byte buffers");
        assertEquals(6, seen.arrays.stream().distinct().count(), "a fresh array per read");
    }

    @Test
    @Catalog(84)
    void returning_false_pauses_until_resume_and_pause_inside_the_callback_does_the_same() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        Server server = Net.createServer(accepted).listen(0, HOST);
        Seen seen = new Seen();
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<Socket> self = new AtomicReference<>();
        Socket client = withOnRead(OnRead.of(new byte[64], (nread, buf) -> {
            seen.add(nread, buf);
            int n = reads.incrementAndGet();
            if (n == 2) {
                self.get().pause();                      // the other way to stop: pause() inside the callback
            }
            return n != 1;                               // the first read answers false
        }));
        self.set(client);
        Trace t = Trace.ofLifecycle(client);
        client.connect(port(server), HOST);
        Socket peer = accepted.next();

        peer.write("a");
        waitFor().until(() -> reads.get() == 1 && client.isPaused());
        peer.write("b");
        holdsFor(200).until(() -> reads.get() == 1);
        client.resume();
        waitFor().until(() -> reads.get() == 2 && client.isPaused());
        peer.write("c");
        holdsFor(200).until(() -> reads.get() == 2);
        client.resume();
        waitFor().until(() -> seen.text().equals("abc"));
        peer.end();
        waitFor().until(t::closed);
        server.close();
    }

    /**
     * A closed onread socket connected again reads again, as in Node (it reads once connected unless paused).
     * It used to reset its flow as if nobody read it (it has no DATA listener), and so never read the second
     * connection: found by the chaos test's reconnect group (ChaosTest prints the seed that reruns it).
     */
    @Test
    void an_onread_socket_connected_again_after_close_reads_the_new_connection() throws Exception {
        Server server = Net.createServer(s -> s.resume().end("hello")).listen(0, HOST);
        Seen seen = new Seen();
        Socket client = withOnRead(OnRead.of(new byte[16], (nread, buf) -> {
            seen.add(nread, buf);
            return true;
        }));
        AtomicInteger closes = new AtomicInteger();
        client.on(Socket.CLOSE, hadError -> closes.incrementAndGet());
        Flow.connectTwice(client, server, closes, seen::text, "hello");
        assertEquals("hellohello", seen.text());
        assertEquals(5, client.bytesRead());
    }

    @Test
    void an_empty_or_null_buffer_is_rejected_at_the_call() {
        NetException empty = assertThrows(NetException.class, () -> OnRead.of(new byte[0], (n, b) -> true));
        assertEquals(NetException.ERR_INVALID_ARG_VALUE, empty.code());
        NetException nul = assertThrows(NetException.class, () -> OnRead.of((byte[]) null, (n, b) -> true));
        assertEquals(NetException.ERR_INVALID_ARG_VALUE, nul.code());
        assertThrows(NetException.class, () -> OnRead.of(new byte[1], null));
        assertThrows(NetException.class, () -> SocketOptions.builder().onread(null));
    }

    @Test
    void a_buffer_function_returning_an_empty_array_destroys_the_socket_with_the_error() throws Exception {
        Server server = Net.createServer(s -> s.resume().write("xy")).listen(0, HOST);
        AtomicInteger calls = new AtomicInteger();
        Socket client = withOnRead(OnRead.of(() -> calls.incrementAndGet() == 1 ? new byte[8] : new byte[0],
                (nread, buf) -> true));
        AtomicReference<Throwable> error = new AtomicReference<>();
        Trace t = Trace.ofLifecycle(client).also(client, error);
        client.connect(port(server), HOST);
        waitFor().until(t::closed);
        server.close();
        NetException e = (NetException) error.get();
        assertEquals(NetException.ERR_INVALID_ARG_VALUE, e.code());
        assertTrue(t.events.contains("close:true"), t.toString());
    }

    @Test
    void a_callback_that_throws_destroys_the_socket_with_what_it_threw() throws Exception {
        Server server = Net.createServer(s -> s.resume().write("xy")).listen(0, HOST);
        IllegalStateException boom = new IllegalStateException("boom");
        Socket client = withOnRead(OnRead.of(new byte[8], (nread, buf) -> {
            throw boom;
        }));
        AtomicReference<Throwable> error = new AtomicReference<>();
        Trace t = Trace.ofLifecycle(client).also(client, error);
        client.connect(port(server), HOST);
        waitFor().until(t::closed);
        server.close();
        assertSame(boom, error.get());
    }
}
