package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.holdsFor;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Listener;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Writable;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pipe} into a custom {@link Writable}, {@code unpipe}, and {@code pipe(destination, false)}. */
class PipeTest {

    /**
     * A destination that asks the source to pause after every third chunk and signals drain later from its
     * own thread, as a slow asynchronous consumer would; it counts chunks that arrive while it is full.
     */
    static final class SlowCollector implements Writable {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ReentrantLock lock = new ReentrantLock();
        final AtomicInteger ends = new AtomicInteger();
        final AtomicInteger writesWhileFull = new AtomicInteger();
        final AtomicInteger pauses = new AtomicInteger();
        private final AtomicBoolean full = new AtomicBoolean();
        private final AtomicInteger writes = new AtomicInteger();

        @Override
        public boolean write(byte[] chunk) {
            if (full.get()) {
                writesWhileFull.incrementAndGet();
            }
            append(chunk);
            if (writes.incrementAndGet() % 3 == 0) {
                full.set(true);
                pauses.incrementAndGet();
                return false;
            }
            return true;
        }

        @Override
        public Writable onceDrain(Listener listener) {
            Thread.ofVirtual().start(() -> {
                full.set(false);
                try {
                    listener.handle();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            return this;
        }

        @Override
        public Writable end() {
            ends.incrementAndGet();
            return this;
        }

        private void append(byte[] chunk) {
            lock.lock();
            try {
                bytes.writeBytes(chunk);
            } finally {
                lock.unlock();
            }
        }

        byte[] received() {
            lock.lock();
            try {
                return bytes.toByteArray();
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void pipe_into_a_custom_writable_pauses_on_false_resumes_on_drain_and_ends_it() throws Exception {
        byte[] data = Flow.randomBytes(1 << 20, 11);
        Server server = Net.createServer(s -> {
            s.resume();
            for (int off = 0; off < data.length; off += 4096) {
                s.write(java.util.Arrays.copyOfRange(data, off, off + 4096));
            }
            s.end();
        }).listen(0, HOST);
        SlowCollector collector = new SlowCollector();
        Socket source = Net.socket();
        Trace t = Trace.ofLifecycle(source);
        assertSame(collector, source.pipe(collector));
        source.connect(port(server), HOST);
        waitFor().until(t::closed);
        server.close();
        assertArrayEquals(data, collector.received());
        assertEquals(1, collector.ends.get());
        assertEquals(0, collector.writesWhileFull.get(), "the source kept writing after write() returned false");
        assertTrue(collector.pauses.get() > 0);
    }

    /**
     * A destination that is full at once (every {@code write} returns false, so the pipe pauses the source):
     * {@code onWrite} runs in each write, {@code onDrain} gets each drain listener the pipe leaves with it.
     */
    private record Full(Runnable onWrite, java.util.function.Consumer<Listener> onDrain) implements Writable {
        @Override
        public boolean write(byte[] chunk) {
            onWrite.run();
            return false;
        }

        @Override
        public Writable onceDrain(Listener listener) {
            onDrain.accept(listener);
            return this;
        }

        @Override
        public Writable end() {
            return this;
        }
    }

    /** After unpipe: a DATA listener and resume() get the "b" the pipe did not take; then both ends close. */
    private static void readOnDirectly(Socket source, Socket peer, Trace t, Server server) {
        StringBuffer after = new StringBuffer();
        source.on(Socket.DATA, chunk -> after.append(new String(chunk))).resume();
        waitFor().until(() -> after.toString().equals("b"));
        peer.end();
        waitFor().until(() -> t.closed() && peer.destroyed());
        server.close();
    }

    @Test
    void unpipe_stops_forwarding_pauses_the_source_and_does_not_end_the_destination() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        Server server = Net.createServer(accepted).listen(0, HOST);
        SlowCollector collector = new SlowCollector();
        Socket source = Net.socket();
        Trace t = Trace.ofLifecycle(source);
        source.pipe(collector);
        source.connect(port(server), HOST);
        Socket peer = accepted.next();
        peer.write("a");
        waitFor().until(() -> collector.received().length == 1);

        assertSame(source, source.unpipe(collector));
        assertTrue(source.isPaused());
        peer.write("b");
        // Not forwarded. (The read that was in flight when unpipe() paused the source may still take "b" from
        // the kernel, so bytesRead() can reach 2 here; the chunk is held until resume(), not emitted.)
        holdsFor(200).until(() -> collector.received().length == 1);
        readOnDirectly(source, peer, t, server);
        assertEquals(0, collector.ends.get());
        assertEquals("a", new String(collector.received()));
    }

    /**
     * Switching from a pipe to a {@code DATA} listener from another thread while a read's event waits behind
     * another event (a listener that blocks): that chunk must go to the listener added after
     * {@code unpipe}, not to nobody. With a {@code TEXT} listener too, {@code unpipe} must still pause the
     * source, as Node's unpipe of the last pipe does whatever listeners are left. Found by {@code
     * ChaosTest#pipes} seed 2, whose DATA recorder lost 90 KB across the switch.
     */
    @ParameterizedTest(name = "with a TEXT listener: {0}")
    @ValueSource(booleans = {false, true})
    void a_chunk_under_way_when_unpipe_returns_goes_to_the_next_reader(boolean withText) throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        Server server = Net.createServer(accepted).listen(0, HOST);
        SlowCollector collector = new SlowCollector();
        StringBuffer text = new StringBuffer();
        Socket source = Net.socket();
        Trace t = Trace.ofLifecycle(source);
        if (withText) {
            source.on(Socket.TEXT, text::append);
        }
        source.pipe(collector);
        source.connect(port(server), HOST);
        Socket peer = accepted.next();
        peer.write("a");
        waitFor().until(() -> collector.received().length == 1);

        CountDownLatch gate = Flow.holdEvents(source);
        peer.write("b");
        waitFor().until(() -> source.bytesRead() == 2);  // read; its event waits behind the callback
        source.unpipe(collector);
        assertTrue(source.isPaused(), "unpipe of the last pipe pauses");
        gate.countDown();
        holdsFor(200).until(() -> collector.received().length == 1 && text.length() == (withText ? 1 : 0));

        readOnDirectly(source, peer, t, server);
        assertEquals("a", new String(collector.received()));
        assertEquals(withText ? "ab" : "", text.toString());
    }

    /**
     * A destination that drains on a thread of its own while another thread unpipes it: the drain must not resume
     * the source after unpipe paused it. It could (the pipe checked that it was active, then resumed), and the
     * source flowed on with no pipe: {@code ChaosTest#pipes} seed 2, once in about a dozen runs, where the DATA
     * listener added after unpipe then missed 120 KB that only a TEXT listener saw. The two race 300 times here.
     */
    @Test
    void a_drain_racing_unpipe_does_not_resume_the_source() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        Server server = Net.createServer(accepted).listen(0, HOST);
        Socket source = Net.socket();
        Trace t = Trace.ofLifecycle(source);
        source.connect(port(server), HOST);
        Socket peer = accepted.next();
        int resumedAfterUnpipe = 0;
        for (int round = 0; round < 300; round++) {
            AtomicReference<Listener> drain = new AtomicReference<>();
            Writable full = new Full(() -> { }, drain::set);
            source.pipe(full);
            peer.write("x");
            waitFor().until(() -> drain.get() != null && source.isPaused());
            CountDownLatch go = new CountDownLatch(1);
            Thread drainer = Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    drain.get().handle();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            go.countDown();
            source.unpipe(full);
            drainer.join();
            if (!source.isPaused()) {
                resumedAfterUnpipe++;
            }
        }
        peer.end();
        source.resume();
        waitFor().until(() -> t.closed() && peer.destroyed());
        server.close();
        assertEquals(0, resumedAfterUnpipe, "rounds in which the drain resumed the source after unpipe");
    }

    /**
     * The other half of the same race: a destination's {@code write} returns false while another thread unpipes
     * it and resumes the source; the pipe's pause must not land after that resume. It could (the pipe checked that
     * it was active, then paused), and the source stayed paused for good ({@code ChaosTest#pipes} seed 3, once in
     * twenty runs). The two race 1000 times here; the window is a few instructions wide, so before the fix this
     * caught it in about half of its runs only (ChaosTest#pipes seed 3 and this test together do better).
     */
    @Test
    void a_full_write_racing_unpipe_does_not_pause_the_source_after_it() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        Server server = Net.createServer(accepted).listen(0, HOST);
        Socket source = Net.socket();
        Trace t = Trace.ofLifecycle(source);
        AtomicInteger chunks = new AtomicInteger();
        source.connect(port(server), HOST);
        Socket peer = accepted.next();
        int pausedAfterResume = 0;
        for (int round = 0; round < 1000; round++) {
            CountDownLatch writing = new CountDownLatch(1);
            Writable full = new Full(writing::countDown, listener -> { });  // never drains: only the resume goes on
            source.pipe(full);
            if (round == 0) {
                source.on(Socket.DATA, chunk -> chunks.incrementAndGet());   // after the pipe's, in each event
            }
            Thread racer = Thread.ofVirtual().start(() -> {
                try {
                    writing.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                source.unpipe(full);
                source.resume();
            });
            peer.write("x");
            int expected = round + 1;
            waitFor().until(() -> chunks.get() == expected);
            racer.join();
            if (source.isPaused()) {
                pausedAfterResume++;
                source.resume();
            }
        }
        peer.end();
        waitFor().until(() -> t.closed() && peer.destroyed());
        server.close();
        assertEquals(0, pausedAfterResume, "rounds in which the pipe's pause landed after unpipe and resume");
    }

    @Test
    void unpipe_of_a_destination_not_piped_changes_nothing() {
        Socket s = Net.socket().resume();                 // flowing, without a listener or pipe
        s.unpipe(new SlowCollector());
        s.unpipe();
        assertFalse(s.isPaused(), "Node's unpipe returns at once when nothing is piped");
        s.destroy();
    }

    @Test
    void pipe_with_end_false_leaves_the_destination_open_when_the_source_ends() throws Exception {
        Server server = Net.createServer(s -> s.resume().end("last words")).listen(0, HOST);
        SlowCollector collector = new SlowCollector();
        Socket source = Net.socket();
        Trace t = Trace.ofLifecycle(source);
        source.pipe(collector, false);
        source.connect(port(server), HOST);
        waitFor().until(t::closed);
        server.close();
        assertEquals("last words", new String(collector.received()));
        assertEquals(0, collector.ends.get());
    }
}
