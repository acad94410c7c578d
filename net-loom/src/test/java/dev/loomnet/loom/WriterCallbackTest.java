package dev.loomnet.loom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Callback;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * How {@link Writer} hands its callbacks to its socket when the socket fails or closes: white-box
 * regression tests, with a recording {@link WriteSink} instead of a socket, for the races
 * {@code dev.loomnet.tests.stress.ChaosTest} found. Each depends on a thread switch at one exact point, so a test
 * through the public API could only provoke it now and then; here the owner's own methods stand at that point.
 */
class WriterCallbackTest {

    /** Records what the queue reports; its channel is whatever the test gives it. */
    private static final class Owner implements WriteSink {
        final ReentrantLock lock = new ReentrantLock();
        final AtomicInteger writersStarted = new AtomicInteger();
        final List<Callback> rejected = new CopyOnWriteArrayList<>();
        final List<Callback> afterEnd = new CopyOnWriteArrayList<>();
        final List<Boolean> flushedUnderLock = new CopyOnWriteArrayList<>();
        final AtomicInteger finished = new AtomicInteger();
        volatile @Nullable SocketChannel channel;
        volatile Runnable onWriteFailed = () -> { };

        private SocketChannel open() throws IOException {
            SocketChannel ch = channel;
            if (ch == null) {
                throw new java.nio.channels.ClosedChannelException();
            }
            return ch;
        }

        @Override
        public long write(ByteBuffer[] buffers, int offset, int length) throws IOException {
            return open().write(buffers, offset, length);
        }

        @Override
        public void shutdownOutput() throws IOException {
            open().shutdownOutput();
        }

        @Override
        public void flush() {
        }

        @Override
        public void flushed(long bytes, List<Callback> callbacks) {
            flushedUnderLock.add(lock.isHeldByCurrentThread());
        }

        @Override
        public void progressed() {
        }

        @Override
        public void drained() {
        }

        @Override
        public void finished() {
            finished.incrementAndGet();
        }

        @Override
        public int writeNow(ByteBuffer data) throws IOException {
            SocketChannel ch = channel;
            if (ch == null) {
                throw new java.nio.channels.ClosedChannelException();
            }
            ch.configureBlocking(false);                // as LoomSocket.writeNow
            try {
                return ch.write(data);
            } finally {
                ch.configureBlocking(true);
            }
        }

        @Override
        public void rejected(@Nullable Callback callback) {
            if (callback != null) {
                rejected.add(callback);
            }
        }

        @Override
        public void writeAfterEnd(@Nullable Callback callback) {
            if (callback != null) {
                afterEnd.add(callback);
            }
        }

        @Override
        public void failed(IOException error) {
            onWriteFailed.run();
        }

        @Override
        public String writerName() {
            writersStarted.incrementAndGet();
            return "writer-test";
        }
    }

    private static Callback callback() {
        return error -> { };
    }

    private static ByteBuffer bytes(int n) {
        return ByteBuffer.wrap(new byte[n]);
    }

    @Test
    void a_write_between_a_writer_failure_and_the_destroy_starts_no_second_writer_and_no_callback_is_lost()
            throws Exception {
        // The writer gave up its role before the socket was destroyed: a write in between started a second
        // writer, whose batch replaced the failed one in flight, and failAll never saw the first callback.
        Owner owner = new Owner();
        SocketChannel closed = SocketChannel.open();
        closed.close();
        owner.channel = closed;                         // every write fails
        Writer queue = new Writer(owner, 1024, owner.lock);
        Callback first = callback();
        Callback second = callback();
        AtomicReference<List<Callback>> failed = new AtomicReference<>();
        CountDownLatch destroyed = new CountDownLatch(1);
        owner.onWriteFailed = () -> {                    // on the failed writer's thread, before the destroy
            queue.write(bytes(10), second, false, false);
            failed.set(queue.fail());                // what LoomSocket.destroy does
            destroyed.countDown();
        };
        queue.start();
        queue.write(bytes(10), first, false, false);                  // not inline: a writer thread, which fails
        assertTrue(destroyed.await(10, TimeUnit.SECONDS));
        assertEquals(1, owner.writersStarted.get());
        assertEquals(List.of(first, second), failed.get());
    }

    @Test
    void an_end_after_the_queue_failed_rejects_its_callback_instead_of_keeping_it() {
        // A socket's end() checks for destroy, then calls the queue; a destroy in between used to leave the
        // callback in a queue that nobody would look at again.
        Owner owner = new Owner();
        Writer queue = new Writer(owner, 1024, owner.lock);
        queue.start();
        assertEquals(List.of(), queue.fail());
        Callback late = callback();
        queue.end(late);
        assertEquals(List.of(late), owner.rejected);
        assertEquals(List.of(), queue.fail());
        assertEquals(0, owner.finished.get());
    }

    @Test
    void a_write_that_reaches_the_queue_after_its_end_is_refused_as_a_write_after_end_not_queued_behind_the_FIN()
            throws Exception {
        // A socket's write checks for end(), then calls the queue; an end() in between (whose FIN may already
        // have left) used to see the chunk queued and counted but never sent: bytes lost without an error.
        Owner owner = new Owner();
        try (Pair pair = new Pair()) {
            owner.channel = pair.client;
            Writer queue = new Writer(owner, 1024, owner.lock);
            queue.start();
            queue.end(null);                                // nothing queued: the FIN leaves on this thread
            assertEquals(1, owner.finished.get());
            Callback late = callback();
            assertFalse(queue.write(bytes(10), late, false, false));
            assertEquals(List.of(late), owner.afterEnd);
            assertEquals(0, queue.accepted(), "bytesWritten does not count it");
            assertEquals(0, queue.length());
        }
    }

    @Test
    void end_callbacks_stay_in_the_queue_after_the_FIN_until_the_owner_takes_them() throws Exception {
        // The FIN used to take the end callbacks along to the socket's FINISH task, which drops them when the
        // socket was destroyed before it ran; now a destroy in between finds them in failAll.
        Owner owner = new Owner();
        try (Pair pair = new Pair()) {
            owner.channel = pair.client;
            Writer queue = new Writer(owner, 1024, owner.lock);
            queue.start();
            Callback first = callback();
            queue.end(first);                           // nothing queued: the FIN leaves on this thread
            assertEquals(1, owner.finished.get());
            Callback second = callback();
            assertTrue(queue.addEndCallback(second));  // a second end(callback) before the FINISH task ran
            assertEquals(List.of(first, second), queue.takeEndCallbacks());
            Callback third = callback();
            assertTrue(queue.addEndCallback(third));
            assertEquals(List.of(third), queue.fail());
            assertFalse(queue.addEndCallback(callback()));
        }
    }

    @Test
    void flushed_callbacks_are_reported_under_the_queue_lock_from_the_writer_and_from_an_inline_write()
            throws Exception {
        // Reported after unlocking, a destroy() could run its failAll, post CLOSE, and the callbacks of a batch
        // that had just left would run after CLOSE, with null.
        Owner owner = new Owner();
        try (Pair pair = new Pair()) {
            owner.channel = pair.client;
            Writer queue = new Writer(owner, 1024, owner.lock);
            queue.start();
            queue.write(bytes(100), callback(), true, false);  // inline, on this thread
            queue.write(bytes(100), callback(), false, false);  // queued: the writer thread
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(2)).until(() -> owner.flushedUnderLock.size() == 2);
            assertEquals(List.of(true, true), owner.flushedUnderLock);
        }
    }

    /** A connected loopback TCP pair; the client side is the queue's channel, the server side just receives. */
    private static final class Pair implements AutoCloseable {
        final ServerSocketChannel listener;
        final SocketChannel client;
        final SocketChannel server;

        Pair() throws IOException {
            listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client = SocketChannel.open(listener.getLocalAddress());
            server = listener.accept();
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            listener.close();
        }
    }
}
