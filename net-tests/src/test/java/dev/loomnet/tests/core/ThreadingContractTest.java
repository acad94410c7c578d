package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.TestServer;
import dev.loomnet.testing.UncaughtExceptions;
import dev.loomnet.tests.Catalog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The threading contract of issue 2: serial events per socket, blocking listeners, non-blocking write, errors. */
class ThreadingContractTest {

    /** Counts listeners running at once on one socket; a plain field checks the happens-before edges. */
    private static final class Serial {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        int plainCalls;                                        // not volatile on purpose

        void run() {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            plainCalls++;
            calls.incrementAndGet();
            LockSupport.parkNanos(20_000);                       // widen the window in which an overlap would show
            inside.decrementAndGet();
        }
    }

    @Test
    void events_and_callbacks_of_one_socket_never_run_concurrently_and_each_sees_the_previous() {
        TestServer server = TestServer.echo();
        Serial serial = new Serial();
        AtomicInteger writeCallbacks = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        int writes = 300;
        int size = 700;
        Socket client = Net.socket();
        EventLog log = EventLog.withoutData(client);
        client.on(Socket.DATA, chunk -> {
                    serial.run();
                    received.addAndGet(chunk.length);
                    if (received.get() == writes * size) {
                        client.end();
                    }
                })
                .on(Socket.END, serial::run)
                .on(Socket.FINISH, serial::run)
                .on(Socket.DRAIN, serial::run)
                .on(Socket.CLOSE, hadError -> serial.run());
        // write callbacks are reported by the writer thread, data by the reader thread: both go through events
        client.connect(server.port(), Loopback.V4, () -> {
            for (int i = 0; i < writes; i++) {
                client.write(new byte[size], e -> {
                    serial.run();
                    writeCallbacks.incrementAndGet();
                });
            }
        });
        log.awaitClosed();
        // end() is called in the last DATA listener, so our finish and the peer's end race
        assertEquals(List.of("connect", "ready", "end", "close:false"),
                log.events.stream().filter(e -> !e.equals("finish")).toList());
        assertEquals(writes, writeCallbacks.get());
        assertEquals(writes * size, received.get());
        assertEquals(0, serial.overlaps.get(), "listeners of one socket overlapped");
        assertEquals(serial.calls.get(), serial.plainCalls, "a listener did not see the previous one's write");
        server.close();
    }

    @Test
    void a_blocking_client_listener_does_not_delay_another_socket() {
        TestServer server = TestServer.echo();
        int port = server.port();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean blocked = new AtomicBoolean();
        Socket a = Net.socket();
        EventLog aLog = EventLog.withoutData(a);
        a.on(Socket.DATA, chunk -> {
            blocked.set(true);
            assertTrue(release.await(10, TimeUnit.SECONDS));
        });
        a.connect(port, Loopback.V4, () -> a.end("a"));
        try {
            await().atMost(EventLog.WAIT).untilTrue(blocked);
            Socket b = Net.socket();
            EventLog bLog = EventLog.of(b);
            b.connect(port, Loopback.V4, () -> b.end("b"));
            bLog.awaitClosed();                                 // while a's listener still blocks
            assertEquals(1, release.getCount());
            assertEquals("b", bLog.receivedText());
        } finally {
            release.countDown();
        }
        aLog.awaitClosed();
        server.close();
    }

    @Test
    void a_blocking_connection_listener_does_not_delay_the_next_connection() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger connections = new AtomicInteger();
        Server server = Net.createServer(s -> {
            if (connections.incrementAndGet() == 1) {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            }
            s.on(Socket.DATA, s::write);
        }).listen(0, Loopback.V4);
        int port = server.address().port();
        Socket first = Net.socket();
        EventLog firstLog = EventLog.of(first);
        first.connect(port, Loopback.V4, () -> first.end("1"));
        try {
            await().atMost(EventLog.WAIT).until(() -> connections.get() == 1);
            Socket second = Net.socket();
            EventLog secondLog = EventLog.of(second);
            second.connect(port, Loopback.V4, () -> second.end("2"));
            secondLog.awaitClosed();
            assertEquals("2", secondLog.receivedText());
            assertEquals(1, release.getCount());
        } finally {
            release.countDown();
        }
        firstLog.awaitClosed();
        assertEquals("1", firstLog.receivedText());
        Loopback.closeAndWait(server);
    }

    @Test
    void write_returns_without_blocking_when_the_peer_does_not_read() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(accepted::add).listen(0, Loopback.V4);   // never reads
        Socket client = Net.socket();
        EventLog log = EventLog.withoutData(client);
        client.connect(server.address().port(), Loopback.V4);
        await().atMost(EventLog.WAIT).until(() -> log.events.contains("ready") && accepted.size() == 1);
        byte[] chunk = new byte[64 * 1024];
        int chunks = 256;                                                        // 16 MiB
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Boolean> last = CompletableFuture.supplyAsync(() -> {
                boolean result = true;
                for (int i = 0; i < chunks; i++) {
                    result = client.write(chunk);
                }
                return result;
            }, executor);
            await().atMost(EventLog.WAIT).until(last::isDone);                   // it returned
            assertFalse(last.get(), "over the high-water mark write returns false");
        }
        assertEquals(16L << 20, client.bytesWritten());
        assertTrue(client.writableLength() > 0, "the peer does not read, so bytes stay queued");
        client.destroy();
        accepted.get(0).destroy();
        log.awaitClosed();
        Loopback.closeAndWait(server);
    }

    @Test
    @Catalog(32)
    void a_throwing_listener_destroys_only_its_own_socket_with_that_exception() {
        RuntimeException boom = new RuntimeException("boom");
        List<String> serverSide = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Server server = Net.createServer(s -> {
            s.on(Socket.ERROR, e -> {
                seen.set(e);
                serverSide.add("error");
            });
            s.on(Socket.CLOSE, hadError -> serverSide.add("close:" + hadError));
            s.on(Socket.DATA, chunk -> {
                if (new String(chunk, StandardCharsets.UTF_8).equals("boom")) {
                    throw boom;
                }
                s.write(chunk);
            });
        }).listen(0, Loopback.V4);
        int port = server.address().port();
        Socket good = Net.socket();
        EventLog goodLog = EventLog.of(good);
        good.connect(port, Loopback.V4);
        Socket bad = Net.socket();
        EventLog badLog = EventLog.of(bad);
        bad.connect(port, Loopback.V4, () -> bad.write("boom"));
        badLog.awaitClosed();
        await().atMost(EventLog.WAIT).until(() -> serverSide.size() == 2);
        assertEquals(List.of("error", "close:true"), serverSide);
        assertSame(boom, seen.get());
        assertTrue(server.listening());
        assertEquals(1, server.connections());

        good.end("still fine");                                                  // the other connection carries on
        goodLog.awaitClosed();
        assertEquals("still fine", goodLog.receivedText());
        Loopback.closeAndWait(server);
    }

    @Test
    void a_destroy_from_another_thread_after_a_listener_threw_does_not_drop_what_it_threw() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        CountDownLatch thrown = new CountDownLatch(1);
        CountDownLatch destroyed = new CountDownLatch(1);
        AtomicReference<Socket> accepted = new AtomicReference<>();
        List<String> serverSide = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(s -> {
            accepted.set(s);
            s.on(Socket.ERROR, e -> serverSide.add("error:" + e.getMessage()))
                    .on(Socket.CLOSE, hadError -> serverSide.add("close:" + hadError));
            // The write leaves at once (the connection's own thread, an empty queue), so its callback is the
            // next task, before the close the throw causes: it holds the queue while another thread destroys.
            s.write("x", e -> {
                thrown.countDown();
                awaitQuietly(destroyed);
            });
            throw boom;
        }).listen(0, Loopback.V4);
        Socket client = Net.socket().resume();
        EventLog log = EventLog.withoutData(client);
        client.connect(server.address().port(), Loopback.V4);
        assertTrue(thrown.await(10, TimeUnit.SECONDS), "the listener threw and the write callback runs");
        accepted.get().destroy();                                 // too late: the listener's throw destroyed it
        destroyed.countDown();
        await().atMost(EventLog.WAIT).until(() -> serverSide.stream().anyMatch(e -> e.startsWith("close")));
        assertEquals(List.of("error:boom", "close:true"), serverSide);
        log.awaitClosed();
        Loopback.closeAndWait(server);
    }

    @Test
    void an_END_listener_that_throws_after_both_sides_ended_destroys_with_its_error_not_a_clean_close() {
        // The client finished before the peer's FIN, so END is the last event before the close: the throw must
        // still be ERROR and CLOSE(true), not a clean close with the error sent to the uncaught handler.
        TestServer server = TestServer.echo();
        IllegalStateException boom = new IllegalStateException("from end");
        Socket client = Net.socket().resume();
        EventLog log = EventLog.withoutData(client);
        client.on(Socket.END, () -> {
            throw boom;
        });
        client.connect(server.port(), Loopback.V4, client::end);
        log.awaitClosed();
        assertEquals(List.of("connect", "ready", "finish", "end", "error:IllegalStateException", "close:true"),
                log.events);
        assertSame(boom, log.errors.get(0));
        server.close();
    }

    @Test
    void a_TEXT_listener_that_throws_on_the_tail_flushed_at_the_end_destroys_with_its_error() {
        Server server = Net.createServer(s -> s.end(new byte[] {'o', 'k', (byte) 0xe2})).listen(0, Loopback.V4);
        IllegalStateException boom = new IllegalStateException("from the tail");
        Socket client = Net.socket();
        EventLog log = EventLog.withoutData(client);
        client.on(Socket.TEXT, text -> {
            if (text.equals("\uFFFD")) {
                throw boom;                                   // the unfinished character, flushed before END
            }
        });
        client.connect(server.address().port(), Loopback.V4, client::end);
        log.awaitClosed();
        assertEquals(List.of("connect", "ready", "finish", "error:IllegalStateException", "close:true"), log.events);
        Loopback.closeAndWait(server);
    }

    @Test
    void a_listener_that_throws_after_a_destroy_does_not_cancel_a_connect_waiting_for_the_close(
            UncaughtExceptions uncaught) throws Exception {
        TestServer server = TestServer.echo();
        IllegalStateException boom = new IllegalStateException("from data");
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch reconnecting = new CountDownLatch(1);
        AtomicInteger connects = new AtomicInteger();
        Socket client = Net.socket();
        client.on(Socket.CONNECT, connects::incrementAndGet).on(Socket.DATA, chunk -> {
            if (connects.get() == 1) {
                inListener.countDown();
                awaitQuietly(reconnecting);
                throw boom;                               // destroyed meanwhile: the handler gets it
            }
        });
        client.connect(server.port(), Loopback.V4, () -> client.write("x"));
        assertTrue(inListener.await(10, TimeUnit.SECONDS));
        client.destroy();
        client.connect(server.port(), Loopback.V4);        // waits for the first connection's CLOSE
        reconnecting.countDown();
        assertSame(boom, uncaught.awaitOne(e -> e == boom).error());
        await().atMost(EventLog.WAIT).until(() -> connects.get() == 2);
        client.destroy();
        server.close();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void a_throwing_client_listener_destroys_the_client_with_error_then_close_true() {
        TestServer server = TestServer.echo();
        IllegalStateException boom = new IllegalStateException("from connect");
        Socket client = Net.socket();
        EventLog log = EventLog.withoutData(client);
        client.connect(server.port(), Loopback.V4, () -> {
            throw boom;
        });
        log.awaitClosed();
        // the throw stops that emission (as in Node), so READY does not follow
        assertEquals(List.of("connect", "error:IllegalStateException", "close:true"), log.events);
        assertSame(boom, log.errors.get(0));
        server.close();
    }


    @Test
    void listeners_attached_in_connection_see_every_event_even_when_attached_late() {
        AtomicBoolean clientFinished = new AtomicBoolean();
        List<EventLog> logs = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(s -> {
            // the client has sent its data and FIN before we attach anything: nothing may be lost
            await().atMost(EventLog.WAIT).untilTrue(clientFinished);
            logs.add(EventLog.of(s));
        }).listen(0, Loopback.V4);
        Socket client = Net.socket();
        EventLog clientLog = EventLog.of(client);
        client.on(Socket.FINISH, () -> clientFinished.set(true));
        client.connect(server.address().port(), Loopback.V4, () -> client.end("early"));
        clientLog.awaitClosed();
        await().atMost(EventLog.WAIT).until(() -> logs.size() == 1 && logs.get(0).closed());
        assertEquals(List.of("data", "end", "finish", "close:false"), logs.get(0).folded());
        assertEquals("early", logs.get(0).receivedText());
        Loopback.closeAndWait(server);
    }

    @Test
    void a_socket_created_inside_a_data_listener_emits_nothing_until_that_listener_returns() {
        // The listener runs on the front connection's own thread. After creating and connecting the new socket it
        // keeps running for a while: none of the new socket's events may run meanwhile (Node's next tick), and
        // all of them must follow once it returns.
        Duration stay = Duration.ofMillis(300);
        Server backend = Net.createServer(s -> s.resume().end("from backend")).listen(0, Loopback.V4);
        int backendPort = backend.address().port();
        List<EventLog> upstreamLogs = new CopyOnWriteArrayList<>();
        Server proxy = Net.createServer(front -> front.on(Socket.DATA, request -> {
            Socket upstream = Net.connect(backendPort, Loopback.V4);
            EventLog log = EventLog.of(upstream);
            upstreamLogs.add(log);
            upstream.on(Socket.DATA, front::write).on(Socket.END, front::end);
            await().during(stay).atMost(stay.multipliedBy(10)).until(log.events::isEmpty);
        })).listen(0, Loopback.V4);
        Socket client = Net.socket();
        EventLog clientLog = EventLog.of(client);
        client.connect(proxy.address().port(), Loopback.V4, () -> client.write("go"));
        clientLog.awaitClosed();
        assertEquals("from backend", clientLog.receivedText());
        await().atMost(EventLog.WAIT).until(() -> upstreamLogs.size() == 1 && upstreamLogs.get(0).closed());
        assertEquals(List.of("connect", "ready", "data", "end", "finish", "close:false"),
                upstreamLogs.get(0).folded());
        Loopback.closeAndWait(proxy);
        Loopback.closeAndWait(backend);
    }

    @Test
    void a_socket_created_inside_a_connection_listener_gets_all_its_events() {
        Server backend = Net.createServer(s -> s.resume().end("from backend")).listen(0, Loopback.V4);
        int backendPort = backend.address().port();
        List<EventLog> upstreamLogs = new CopyOnWriteArrayList<>();
        Server proxy = Net.createServer(front -> {
            Socket upstream = Net.connect(backendPort, Loopback.V4);
            // listeners attached after connect() returned, inside this listener: nothing may be missed
            EventLog log = EventLog.withoutData(upstream);
            upstreamLogs.add(log);
            upstream.on(Socket.DATA, chunk -> {
                log.events.add("data");
                front.write(chunk);
            }).on(Socket.END, front::end);
            front.resume();
        }).listen(0, Loopback.V4);
        Socket client = Net.socket();
        EventLog clientLog = EventLog.of(client);
        client.connect(proxy.address().port(), Loopback.V4);
        clientLog.awaitClosed();
        assertEquals("from backend", clientLog.receivedText());
        await().atMost(EventLog.WAIT).until(() -> upstreamLogs.size() == 1 && upstreamLogs.get(0).closed());
        List<String> upstream = upstreamLogs.get(0).folded();
        assertEquals(List.of("connect", "ready", "data", "end", "finish", "close:false"), upstream);
        Loopback.closeAndWait(proxy);
        Loopback.closeAndWait(backend);
    }
}
