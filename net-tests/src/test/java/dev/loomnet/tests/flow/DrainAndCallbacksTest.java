package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.Catalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code write}'s return value, {@code DRAIN}, and write callbacks (catalog #93-#95, #98), over every
 * {@link Transport}; the test that holds the connect in its lookup over TCP only.
 */
class DrainAndCallbacksTest {

    @TempDir
    Path dir;

    /** One write callback's outcome: which write, and its error (null on success). */
    private record Done(int index, Throwable error) {
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog({94, 95})
    void drain_fires_once_per_streak_of_false_returns_and_never_without_one(Transport transport) throws Exception {
        int rounds = 40;
        byte[] chunk = new byte[16 * 1024];
        AtomicLong received = new AtomicLong();
        Server server = transport.listen(
                Net.createServer(conn -> conn.on(Socket.DATA, c -> received.addAndGet(c.length))), dir);

        // Everything below runs on the client's event thread (CONNECT and DRAIN), as Node code would.
        List<String> violations = new CopyOnWriteArrayList<>();
        int[] state = new int[4];   // [0] rounds started, [1] false returns, [2] drains, [3] 1 if a false since the last drain
        AtomicBoolean closed = new AtomicBoolean();
        Socket client = Net.socket();
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            if (state[0] == rounds) {
                client.end();
                return;
            }
            state[0]++;
            for (int i = 0; client.write(chunk); i++) {
                if (i == 4096) {                       // 64 MiB: the queue never reached the mark
                    violations.add("write never returned false in round " + state[0]);
                    client.end();
                    return;
                }
            }
            state[1]++;
            state[3] = 1;
            if (state[0] % 2 == 0) {                 // keep writing after false: still one streak, one DRAIN
                for (int i = 0; i < 2; i++) {
                    if (!client.write(chunk)) {
                        state[1]++;
                    }
                }
            }
        };
        client.on(Socket.DRAIN, () -> {
            state[2]++;
            if (state[3] == 0) {
                violations.add("DRAIN without a false return before it (drain " + state[2] + ")");
            }
            if (state[0] % 2 == 1 && client.writableLength() != 0) {
                violations.add("DRAIN with " + client.writableLength() + " bytes queued after round " + state[0]);
            }
            state[3] = 0;
            pump[0].run();
        }).on(Socket.CLOSE, hadError -> closed.set(true)).resume();
        // The first round starts from a task posted by onceDrain, not inside the connect listener: a write on
        // the connection's own thread goes straight to the kernel when nothing is queued (as Node first tries
        // a synchronous write), so with a fast reader it might never queue enough to return false.
        transport.connect(client, server, () -> client.onceDrain(pump[0]::run));

        waitFor().until(closed::get);
        server.close();
        assertEquals(List.of(), violations);
        assertEquals(rounds, state[0]);
        assertEquals(rounds, state[2], "DRAIN count");
        assertTrue(state[1] >= rounds, "false returns " + state[1]);
        assertEquals(client.bytesWritten(), received.get());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(95)
    void a_write_loop_restarted_from_drain_runs_200_rounds_of_one_megabyte_buffers(Transport transport)
            throws Exception {  // #95
        // Node's test-net-write-fully-async-buffer: `while (conn.write(Buffer.from(data)));` with a 1,000,000-byte
        // buffer, run from the connect callback and again from every DRAIN; the 201st run ends the socket.
        int rounds = 200;
        byte[] data = new byte[1_000_000];
        new java.util.Random(95).nextBytes(data);
        AtomicLong received = new AtomicLong();
        Server server = transport.listen(
                Net.createServer(conn -> conn.on(Socket.DATA, c -> received.addAndGet(c.length))), dir);

        // Everything below runs on the client's event thread (CONNECT and DRAIN), as Node code would.
        List<String> violations = new CopyOnWriteArrayList<>();
        long[] state = new long[3];   // [0] runs of the loop, [1] writes, [2] drains
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket();
        Runnable writeLoop = () -> {
            if (state[0]++ == rounds) {
                client.end();
                return;
            }
            // A write that the kernel takes whole on the connection's own thread returns true in loomnet (Node
            // counts it until its write completes: false at once for 1 MB), so a round may write more than one
            // buffer; the bound only stops a loop that never meets backpressure.
            for (int i = 0; ; i++) {
                state[1]++;
                if (!client.write(data.clone())) {              // Buffer.from(data): a fresh copy every time
                    return;
                }
                if (i == 1000) {
                    violations.add("write never returned false in round " + state[0]);
                    client.end();
                    return;
                }
            }
        };
        client.on(Socket.DRAIN, () -> {
            state[2]++;
            if (client.writableLength() != 0) {         // Node: 'drain' once the buffer is empty, one per round
                violations.add("DRAIN " + state[2] + " with " + client.writableLength() + " bytes queued");
            }
            writeLoop.run();
        }).on(Socket.CLOSE, closed::set).resume();
        transport.connect(client, server, writeLoop::run);

        waitFor().until(() -> closed.get() != null);
        waitFor().until(() -> received.get() == client.bytesWritten());
        server.close();
        assertEquals(List.of(), violations);
        assertFalse(closed.get(), "CLOSE(hadError)");
        assertEquals(rounds + 1, state[0], "runs of the loop");
        assertEquals(rounds, state[2], "DRAIN count");
        assertTrue(state[1] >= rounds, "writes " + state[1]);
        assertEquals(state[1] * data.length, client.bytesWritten());
        assertEquals(client.bytesWritten(), received.get());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void write_callbacks_run_in_write_order_once_their_bytes_were_sent(Transport transport) throws Exception {
        int writes = 2000;
        AtomicLong received = new AtomicLong();
        Server server = transport.listen(
                Net.createServer(conn -> conn.on(Socket.DATA, c -> received.addAndGet(c.length))), dir);
        ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().on(Socket.CLOSE, closed::set).resume();
        transport.connect(client, server, () -> {
            for (int i = 0; i < writes; i++) {
                int index = i;
                client.write(new byte[1 + (i * 7919) % 3000], error -> done.add(new Done(index, error)));
            }
            client.end(error -> done.add(new Done(-1, error)));   // the end callback: after every write callback
        });
        waitFor().until(() -> closed.get() != null);
        server.close();

        List<Done> all = new ArrayList<>(done);
        assertEquals(writes + 1, all.size());
        for (int i = 0; i < writes; i++) {
            assertEquals(new Done(i, null), all.get(i));
        }
        assertEquals(new Done(-1, null), all.get(writes));
        assertEquals(client.bytesWritten(), received.get());
        assertFalse(closed.get());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void callbacks_of_bytes_never_sent_receive_the_destroy_error(Transport transport) throws Exception {
        IllegalStateException boom = new IllegalStateException("test: destroyed on purpose");
        List<Done> done = destroyWhileBlocked(transport, client -> client.destroy(boom), true);
        Throwable error = done.get(done.size() - 1).error();
        assertSame(boom, error);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void callbacks_of_bytes_never_sent_receive_ERR_STREAM_DESTROYED_after_a_plain_destroy(Transport transport)
            throws Exception {
        List<Done> done = destroyWhileBlocked(transport, Socket::destroy, false);
        NetException error = assertInstanceOf(NetException.class, done.get(done.size() - 1).error());
        assertEquals(NetException.ERR_STREAM_DESTROYED, error.code());
        assertEquals("Cannot call write after a stream was destroyed", error.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog(98)
    void a_write_after_destroy_reports_ERR_STREAM_DESTROYED_to_its_callback_and_emits_no_error(Transport transport)
            throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        Server server = transport.listen(Net.createServer(accepted), dir);
        AtomicReference<Throwable> callbackError = new AtomicReference<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().on(Socket.ERROR, errors::add).on(Socket.CLOSE, closed::set);
        transport.connect(client, server, () -> {
            assertSame(client, client.destroy().destroy());          // #98: destroy is chainable and idempotent
            assertFalse(client.write("late", callbackError::set));
        });
        Socket peer = accepted.next();
        waitFor().until(() -> closed.get() != null && callbackError.get() != null);
        waitFor().until(peer::destroyed);
        server.close();
        assertEquals(NetException.ERR_STREAM_DESTROYED, ((NetException) callbackError.get()).code());
        assertEquals(List.of(), errors);
        assertFalse(closed.get());
    }

    /**
     * Writes 1 KiB, then 47 MiB (one shared 1 MiB array, so it costs no memory) to a peer that never reads, waits until
     * the first callback succeeded and the rest are stuck behind full kernel buffers, destroys the client with
     * {@code destroy}, and checks every callback ran once: a prefix with {@code null}, the rest with one error.
     */
    private List<Done> destroyWhileBlocked(Transport transport, java.util.function.Consumer<Socket> destroy,
            boolean expectError) throws Exception {
        int writes = 48;
        byte[] mib = new byte[1 << 20];
        Flow.Accepted accepted = new Flow.Accepted();
        Server server = transport.listen(
                Net.createServer(ServerOptions.builder().pauseOnConnect(true).build(), accepted), dir);
        ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().on(Socket.ERROR, errors::add).on(Socket.CLOSE, closed::set);
        // A batch's callbacks run when the whole gathering write is done, so send a small first chunk alone
        // and queue the rest from its callback: at least one success, then more than the kernel can take.
        transport.connect(client, server, () -> client.write(new byte[1024], first -> {
            done.add(new Done(0, first));
            for (int i = 1; i < writes; i++) {
                int index = i;
                client.write(mib, error -> done.add(new Done(index, error)));
            }
        }));
        Socket peer = accepted.next();
        waitFor().until(() -> !done.isEmpty() && client.writableLength() > 0);
        AtomicLong seen = new AtomicLong(-1);                          // then the kernel stops taking bytes:
        Flow.holdsFor(100).until(() -> seen.getAndSet(done.size()) == done.size());   // no callback for 100 ms
        destroy.accept(client);
        waitFor().until(() -> closed.get() != null);
        peer.destroy();                                               // it never reads, so it would never notice
        waitFor().until(peer::destroyed);
        server.close();

        List<Done> all = new ArrayList<>(done);
        assertEquals(writes, all.size(), "every callback runs exactly once");
        int ok = 0;
        while (ok < writes && all.get(ok).error() == null) {
            assertEquals(ok, all.get(ok).index());
            ok++;
        }
        assertTrue(ok >= 1 && ok < writes, ok + " writes succeeded");
        Throwable first = all.get(ok).error();
        for (int i = ok; i < writes; i++) {
            assertEquals(i, all.get(i).index());
            assertSame(first, all.get(i).error(), "callback " + i);
        }
        assertEquals(expectError, closed.get(), "CLOSE(hadError)");
        assertEquals(expectError ? List.of(first) : List.of(), errors);
        return all;
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"TCP4", "TCP6"})
    @Catalog(93)
    void each_one_byte_write_while_connecting_raises_bufferSize_by_one_and_it_is_0_at_FINISH(Transport transport)
            throws Exception {
        // #93
        AtomicLong received = new AtomicLong();
        Server server = transport.listen(
                Net.createServer(s -> s.on(Socket.DATA, chunk -> received.addAndGet(chunk.length))), dir);
        Socket client = Net.socket();
        Trace c = Trace.of(client);
        AtomicLong atFinish = new AtomicLong(-1);
        client.on(Socket.FINISH, () -> atFinish.set(client.bufferSize()));
        CountDownLatch lookup = new CountDownLatch(1);
        transport.connectHeld(client, server, lookup);
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            client.write("a");
            sizes.add(client.bufferSize());
        }
        client.end();
        lookup.countDown();
        waitFor().until(c::closed);
        waitFor().until(() -> received.get() == 5);
        server.close();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), sizes);
        assertEquals(0, atFinish.get());
    }
}
