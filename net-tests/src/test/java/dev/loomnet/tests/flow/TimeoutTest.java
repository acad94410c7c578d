package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.holdsFor;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.ReadyState;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code setTimeout} and {@code TIMEOUT} (§1.4, catalog #97, #128-#135). */
class TimeoutTest {

    private Server server;
    private Socket client;
    private Socket peer;

    /** Connects {@link #client} to {@link #peer}, both reading, with {@code setup} applied to the client first. */
    private void connectPair(java.util.function.Consumer<Socket> setup) throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        server = Net.createServer(accepted).listen(0, HOST);
        client = Net.socket().resume();
        setup.accept(client);
        AtomicBoolean connected = new AtomicBoolean();
        client.connect(port(server), HOST, () -> connected.set(true));
        peer = accepted.next();
        waitFor().until(connected::get);
    }

    @AfterEach
    void closeAll() {
        if (client != null) {
            client.destroy();
        }
        if (peer != null) {
            peer.destroy();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Waits {@code millis} without sleeping the test thread by hand (Awaitility's poll delay). */
    private static void pass(long millis) {
        Awaitility.await().pollDelay(Duration.ofMillis(millis)).atMost(Duration.ofMillis(millis).plusSeconds(10))
                .until(() -> true);
    }

    @Test
    void TIMEOUT_fires_once_after_the_socket_was_idle_for_the_timeout() throws Exception {
        List<Long> fired = new CopyOnWriteArrayList<>();
        connectPair(s -> s.on(Socket.TIMEOUT, () -> fired.add(System.nanoTime())));
        long set = System.nanoTime();
        assertSame(client, client.setTimeout(Duration.ofMillis(100)));
        assertEquals(Duration.ofMillis(100), client.timeout());
        waitFor().until(() -> fired.size() == 1);
        holdsFor(400).until(() -> fired.size() == 1);                 // once: not again while still idle
        assertTrue(fired.get(0) - set >= Duration.ofMillis(100).toNanos(), "fired early");
    }

    @Test
    void reading_or_writing_re_arms_the_timer() throws Exception {
        long period = Duration.ofMillis(300).toNanos();
        List<Long> fired = new CopyOnWriteArrayList<>();
        connectPair(s -> s.on(Socket.TIMEOUT, () -> fired.add(System.nanoTime())));
        long set = System.nanoTime();
        client.setTimeout(Duration.ofNanos(period));
        pass(150);
        long wrote = System.nanoTime();
        client.write("activity");                                     // a write half-way through the period
        waitFor().until(() -> fired.size() == 1);
        assertTrue(fired.get(0) - wrote >= period, "fired less than the timeout after the write");
        assertTrue(fired.get(0) - set >= period + Duration.ofMillis(150).toNanos(), "the write did not re-arm");

        long read = System.nanoTime();
        peer.write("activity");                                       // after firing, reading re-arms it too
        waitFor().until(() -> fired.size() == 2);
        assertTrue(fired.get(1) - read >= period, "fired less than the timeout after the read");
    }

    @Test
    @Catalog(131)
    void a_zero_timeout_disables_the_timer_and_with_the_listener_removes_it() throws Exception {
        AtomicInteger events = new AtomicInteger();
        AtomicInteger callbacks = new AtomicInteger();
        Listener callback = callbacks::incrementAndGet;
        connectPair(s -> s.on(Socket.TIMEOUT, events::incrementAndGet));
        client.setTimeout(Duration.ofMillis(50), callback);
        client.setTimeout(Duration.ZERO);                             // #131
        assertEquals(Duration.ZERO, client.timeout());
        assertEquals(2, client.listenerCount(Socket.TIMEOUT));        // as Node: without the listener, it stays
        holdsFor(300).until(() -> events.get() == 0 && callbacks.get() == 0);
        client.setTimeout(Duration.ZERO, callback);
        assertEquals(1, client.listenerCount(Socket.TIMEOUT));
    }

    @Test
    @Catalog(132)
    void TIMEOUT_does_not_close_the_socket_which_can_still_write_and_end_normally() throws Exception {
        StringBuffer received = new StringBuffer();
        AtomicReference<String> stateInTimeout = new AtomicReference<>();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, c -> received.append(new String(c))));
        server = Net.createServer(accepted).listen(0, HOST);
        Socket socket = Net.socket().resume();
        Trace t = Trace.of(socket);
        socket.on(Socket.TIMEOUT, () -> {                             // #132
            stateInTimeout.set(socket.readyState().nodeName() + ":" + socket.destroyed());
            socket.setTimeout(Duration.ZERO);
            socket.end("still here");
        });
        socket.connect(port(server), HOST, () -> socket.setTimeout(Duration.ofMillis(50)));
        peer = accepted.next();
        waitFor().until(t::closed);
        assertEquals("open:false", stateInTimeout.get());
        assertEquals("still here", received.toString());
        // our FINISH races with the peer's automatic end (it needs our FIN first), so it is checked apart
        assertEquals(List.of("end:closed", "close:false"), t.without("data").stream()
                .filter(e -> !e.startsWith("finish")).toList());
        assertEquals(1, t.count("finish:"));
        assertTrue(t.before("finish", "close"), t.toString());
    }

    @Test
    @Catalog(130)
    void setTimeout_after_destroy_is_a_no_op_that_returns_the_socket() throws Exception {
        connectPair(s -> { });
        AtomicInteger callbacks = new AtomicInteger();
        client.destroy();
        assertSame(client, client.setTimeout(Duration.ofMillis(1), callbacks::incrementAndGet));   // #130
        assertNull(client.timeout());
        assertEquals(0, client.listenerCount(Socket.TIMEOUT));
        holdsFor(200).until(() -> callbacks.get() == 0);
        waitFor().until(peer::destroyed);
    }

    @Test
    void the_listener_given_to_setTimeout_runs_once_while_TIMEOUT_listeners_run_every_time() throws Exception {
        AtomicInteger events = new AtomicInteger();
        AtomicInteger callbacks = new AtomicInteger();
        connectPair(s -> s.on(Socket.TIMEOUT, events::incrementAndGet));
        client.setTimeout(Duration.ofMillis(50), callbacks::incrementAndGet);
        assertEquals(2, client.listenerCount(Socket.TIMEOUT));
        waitFor().until(() -> events.get() == 1 && callbacks.get() == 1);   // in that order: events was added first
        assertEquals(1, client.listenerCount(Socket.TIMEOUT));
        client.write("activity");
        waitFor().until(() -> events.get() == 2);
        assertEquals(1, callbacks.get());
    }

    @Test
    @Catalog({133, 135})
    void a_socket_that_never_connected_still_times_out() {
        AtomicInteger callbacks = new AtomicInteger();
        Socket socket = Net.socket().setTimeout(Duration.ofMillis(20), callbacks::incrementAndGet);   // #133, #135
        waitFor().until(() -> callbacks.get() == 1);
        socket.destroy();
    }

    @Test
    void the_timeout_connect_option_sets_the_idle_timeout() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        server = Net.createServer(accepted).listen(0, HOST);
        AtomicInteger events = new AtomicInteger();
        client = Net.socket().on(Socket.TIMEOUT, events::incrementAndGet).resume();
        client.connect(ConnectOptions.builder().port(port(server)).host(HOST).timeout(Duration.ofMillis(50)).build());
        peer = accepted.next();
        assertEquals(Duration.ofMillis(50), client.timeout());
        waitFor().until(() -> events.get() == 1);
        assertEquals(ReadyState.OPEN, client.readyState());
    }

    @Test
    @Catalog(128)
    void a_negative_timeout_throws_ERR_OUT_OF_RANGE() {
        Socket socket = Net.socket();
        NetException e = assertThrows(NetException.class, () -> socket.setTimeout(Duration.ofMillis(-1)));   // #128
        assertEquals(NetException.ERR_OUT_OF_RANGE, e.code());
        assertNull(socket.timeout());
        socket.destroy();
    }

    @Test
    @Catalog(97)
    void a_long_write_that_keeps_moving_does_not_time_out() throws Exception {
        int total = 24 << 20;
        int step = 1 << 20;
        long timeout = 400;
        AtomicLong received = new AtomicLong();
        AtomicLong nextPause = new AtomicLong(step);
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, chunk -> {
            if (received.addAndGet(chunk.length) >= nextPause.get()) {
                nextPause.addAndGet(step);
                s.pause();
            }
        }));
        server = Net.createServer(ServerOptions.builder().pauseOnConnect(true).build(), accepted).listen(0, HOST);
        AtomicInteger timeouts = new AtomicInteger();
        AtomicLong flushedAt = new AtomicLong();
        client = Net.socket().on(Socket.TIMEOUT, timeouts::incrementAndGet).resume();
        long start = System.nanoTime();
        client.connect(port(server), HOST, () -> {
            client.setTimeout(Duration.ofMillis(timeout));
            client.write(new byte[total], error -> flushedAt.set(System.nanoTime()));   // one chunk, one batch
        });
        peer = accepted.next();
        // A slow reader that never stops for long: 1 MiB, then 40 ms paused, until the write completed.
        for (int i = 0; i < total / step + 2 && flushedAt.get() == 0; i++) {
            peer.resume();
            try {
                waitFor().until(() -> peer.isPaused() || received.get() == total);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("step " + i + " received=" + received + " next=" + nextPause + " paused="
                        + peer.isPaused() + " peerRead=" + peer.bytesRead() + " queued=" + client.writableLength()
                        + " timeouts=" + timeouts, e);
            }
            pass(40);
        }
        nextPause.set(Long.MAX_VALUE);
        peer.resume();
        waitFor().until(() -> received.get() == total && flushedAt.get() != 0);
        assertTrue(flushedAt.get() - start > Duration.ofMillis(timeout).toNanos(),
                "the write finished within the timeout, so this test showed nothing");
        assertEquals(0, timeouts.get(), "TIMEOUT while the bytes of a write were still moving (#97)");
    }
}
