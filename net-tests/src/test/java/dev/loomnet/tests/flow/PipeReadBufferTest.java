package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomnet.net.Listener;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Writable;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * A socket whose only consumer is one pipe reads into a reused buffer and lends it to the pipe (no chunk per
 * read). These tests check that the borrowed bytes never leak: what a destination keeps, what a slow peer
 * leaves queued, and the chunks of a {@code DATA} listener that joins mid-stream stay exactly what was sent.
 */
class PipeReadBufferTest {

    /** A destination that keeps every chunk it is given by reference, never copying. */
    static final class Keeper implements Writable {
        private final ReentrantLock lock = new ReentrantLock();
        private final List<byte[]> chunks = new ArrayList<>();
        final AtomicBoolean ended = new AtomicBoolean();

        @Override
        public boolean write(byte[] chunk) {
            lock.lock();
            try {
                chunks.add(chunk);
            } finally {
                lock.unlock();
            }
            return true;
        }

        @Override
        public Writable onceDrain(Listener listener) {
            throw new AssertionError("write() never returned false");
        }

        @Override
        public Writable end() {
            ended.set(true);
            return this;
        }

        byte[] joined() {
            lock.lock();
            try {
                return join(chunks);
            } finally {
                lock.unlock();
            }
        }
    }

    static byte[] join(List<byte[]> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(out::writeBytes);
        return out.toByteArray();
    }

    @Test
    void a_destination_that_keeps_every_chunk_finds_them_unchanged_after_the_stream() throws Exception {
        byte[] data = Flow.randomBytes(4 << 20, 41);
        Server server = Net.createServer(s -> {
            s.resume();
            for (int off = 0; off < data.length; off += 16 << 10) {
                s.write(Arrays.copyOfRange(data, off, off + (16 << 10)));
            }
            s.end();
        }).listen(0, HOST);
        Keeper keeper = new Keeper();
        Socket source = Net.socket();
        Trace t = Trace.ofLifecycle(source);
        source.pipe(keeper);
        source.connect(port(server), HOST);
        waitFor().until(t::closed);
        server.close();
        assertArrayEquals(data, keeper.joined(), "a kept chunk changed after it was handed over");
        assertEquals(true, keeper.ended.get());
    }

    @Test
    void an_echo_pipe_to_a_client_that_reads_late_queues_copies_and_returns_every_byte() throws Exception {
        byte[] data = Flow.randomBytes(8 << 20, 42);
        Flow.Accepted accepted = new Flow.Accepted(s -> s.pipe(s));
        Server server = Net.createServer(accepted).listen(0, HOST);
        Socket client = Net.connect(port(server), HOST);
        Trace t = Trace.ofLifecycle(client);
        for (int off = 0; off < data.length; off += 64 << 10) {
            client.write(Arrays.copyOfRange(data, off, off + (64 << 10)));
        }
        Socket echo = accepted.next();
        // The client has not read a byte: the echo's kernel buffers fill, its inline writes stop short, the rest
        // is queued (copied out of the reused buffer) until the queue passes the high-water mark and the pipe
        // pauses its source.
        waitFor().until(echo::isPaused);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        client.on(Socket.DATA, chunk -> {
            received.writeBytes(chunk);
            if (received.size() == data.length) {
                client.end();
            }
        });
        waitFor().until(t::closed);
        server.close();
        assertArrayEquals(data, received.toByteArray());
    }

    @Test
    void a_data_listener_that_joins_a_pipe_mid_stream_gets_chunks_of_its_own() throws Exception {
        byte[] first = Flow.randomBytes(1 << 20, 43);
        byte[] second = Flow.randomBytes(1 << 20, 44);
        Flow.Accepted accepted = new Flow.Accepted(s -> s.pipe(s));
        Server server = Net.createServer(accepted).listen(0, HOST);
        Socket client = Net.socket();
        Trace t = Trace.ofLifecycle(client);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ReentrantLock lock = new ReentrantLock();
        client.on(Socket.DATA, chunk -> {
            lock.lock();
            try {
                received.writeBytes(chunk);
            } finally {
                lock.unlock();
            }
        });
        client.connect(port(server), HOST);
        Socket echo = accepted.next();
        client.write(first);
        waitFor().until(() -> size(received, lock) == first.length);

        List<byte[]> kept = new CopyOnWriteArrayList<>();
        echo.on(Socket.DATA, kept::add);                 // kept by reference: they must be chunks of its own
        client.write(second);
        waitFor().until(() -> size(received, lock) == first.length + second.length
                && join(kept).length == second.length);
        client.end();
        waitFor().until(t::closed);
        server.close();

        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        assertArrayEquals(both, received.toByteArray(), "the echo lost or changed bytes");
        assertArrayEquals(second, join(kept), "the joining listener's chunks changed or missed bytes");
    }

    private static int size(ByteArrayOutputStream out, ReentrantLock lock) {
        lock.lock();
        try {
            return out.size();
        } finally {
            lock.unlock();
        }
    }
}
