package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.holdsFor;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pause}, {@code resume} and {@code pauseOnConnect} (catalog #136-#138). */
class PauseResumeTest {

    @Test
    @Catalog(137)
    void pause_stops_DATA_the_writer_is_eventually_refused_and_resume_delivers_every_byte() throws Exception {
        long cap = 64L << 20;                                 // far more than the kernel buffers take
        byte[] chunk = new byte[64 * 1024];
        AtomicLong received = new AtomicLong();
        AtomicBoolean ended = new AtomicBoolean();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, c -> {
            received.addAndGet(c.length);
            s.pause();                                        // stop after the first chunk
        }).on(Socket.END, () -> ended.set(true)));
        Server server = Net.createServer(accepted).listen(0, HOST);

        // The writer respects backpressure: it writes until false, then waits for DRAIN. Bounded by cap.
        Socket client = Net.socket().resume();
        Trace c = Trace.of(client);
        AtomicLong written = new AtomicLong();
        AtomicBoolean waitingForDrain = new AtomicBoolean();
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            waitingForDrain.set(false);
            while (written.get() < cap) {
                written.addAndGet(chunk.length);
                if (!client.write(chunk)) {
                    waitingForDrain.set(true);
                    return;
                }
            }
            client.end();
        };
        client.on(Socket.DRAIN, pump[0]::run).connect(port(server), HOST, pump[0]::run);
        Socket peer = accepted.next();

        waitFor().until(peer::isPaused);
        long atPause = received.get();
        long readAtPause = peer.bytesRead();
        AtomicLong last = new AtomicLong(-1);
        holdsFor(300).until(() -> waitingForDrain.get() && last.getAndSet(written.get()) == written.get());
        assertEquals(atPause, received.get(), "DATA after pause");                       // #137
        assertEquals(readAtPause, peer.bytesRead(), "pause must stop reading, not only DATA");   // #138
        assertTrue(written.get() < cap, "the writer was never refused: " + written.get());
        assertTrue(client.writableLength() > 0);

        peer.removeAllListeners(Socket.DATA).on(Socket.DATA, chunk2 -> received.addAndGet(chunk2.length));
        peer.resume();
        waitFor().until(() -> ended.get() && c.closed());
        waitFor().until(peer::destroyed);
        server.close();
        assertEquals(cap, received.get());
        assertEquals(cap, client.bytesWritten());
    }

    /**
     * A {@code pause()} from another thread after a chunk was read, while its event waits behind another (a
     * listener that blocks): the chunk is held until {@code resume()}, not emitted while paused (Node
     * emits no data while paused; guide.md section 6).
     */
    @Test
    void a_chunk_whose_event_was_waiting_when_pause_came_is_held_until_resume() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        Server server = Net.createServer(accepted).listen(0, HOST);
        StringBuffer received = new StringBuffer();
        Socket client = Net.socket().on(Socket.DATA, chunk -> received.append(new String(chunk)));
        Trace t = Trace.ofLifecycle(client);
        client.connect(port(server), HOST);
        Socket peer = accepted.next();
        peer.write("a");
        waitFor().until(() -> received.toString().equals("a"));

        CountDownLatch gate = Flow.holdEvents(client);
        peer.write("b");
        waitFor().until(() -> client.bytesRead() == 2);  // read; its event waits behind the callback
        client.pause();
        gate.countDown();
        holdsFor(200).until(() -> received.toString().equals("a"));
        client.resume();
        waitFor().until(() -> received.toString().equals("ab"));
        peer.end();
        waitFor().until(() -> t.closed() && peer.destroyed());
        server.close();
    }

    @Test
    @Catalog(138)
    void pauseOnConnect_reads_nothing_even_with_a_DATA_listener_until_resume() throws Exception {
        StringBuffer received = new StringBuffer();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, chunk -> received.append(new String(chunk))));
        Server server = Net.createServer(ServerOptions.builder().pauseOnConnect(true).build(), accepted)
                .listen(0, HOST);
        AtomicBoolean sent = new AtomicBoolean();
        Socket client = Net.socket().resume();
        Trace c = Trace.of(client);
        client.connect(port(server), HOST, () -> client.write("hello", error -> sent.set(error == null)));
        Socket peer = accepted.next();
        waitFor().until(sent::get);
        assertTrue(peer.isPaused());
        holdsFor(200).until(() -> peer.bytesRead() == 0 && received.length() == 0);     // #138
        assertSame(peer, peer.resume());
        waitFor().until(() -> received.toString().equals("hello"));
        assertEquals(5, peer.bytesRead());
        client.end();
        waitFor().until(() -> c.closed() && peer.destroyed());
        server.close();
    }

    @Test
    @Catalog(138)
    void without_pauseOnConnect_data_flows_at_once() throws Exception {
        StringBuffer received = new StringBuffer();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, chunk -> received.append(new String(chunk))));
        Server server = Net.createServer(accepted).listen(0, HOST);
        Socket client = Net.socket().resume();
        Trace c = Trace.of(client);
        client.connect(port(server), HOST, () -> client.end("hello"));
        Socket peer = accepted.next();
        assertFalse(peer.isPaused());
        waitFor().until(() -> c.closed() && peer.destroyed());
        server.close();
        assertEquals("hello", received.toString());
    }

    /**
     * #136: the calls made before the connection completes decide the final state; "p" is pause, "r" resume.
     * Node makes them right after {@code connect()}; a plain Java thread cannot be sure to beat the loopback
     * connection, so they are made just before it.
     * Sequences ending in resume flow; those ending in pause deliver nothing until a later resume.
     */
    @ParameterizedTest
    @ValueSource(strings = {"r", "pr", "rpr", "p", "rrp"})
    @Catalog(136)
    void pause_and_resume_before_the_connection_completes_are_honoured(String calls) throws Exception {
        Server server = Net.createServer(s -> s.resume().end("hi")).listen(0, HOST);
        Socket client = Net.socket();
        Trace t = Trace.of(client);                                   // adds a DATA listener: flowing unless paused
        AtomicInteger connected = new AtomicInteger();
        Consumer<Socket> apply = s -> calls.chars().forEach(ch -> {
            if (ch == 'p') {
                s.pause();
            } else {
                s.resume();
            }
        });
        apply.accept(client);              // before connect(): a plain thread cannot call "while connecting" reliably
        client.connect(port(server), HOST, connected::incrementAndGet);
        boolean flows = calls.endsWith("r");
        assertEquals(!flows, client.isPaused());
        if (!flows) {
            waitFor().until(() -> connected.get() == 1);
            holdsFor(200).until(() -> client.bytesRead() == 0 && t.count("data:") == 0);
            client.resume();
        }
        waitFor().until(t::closed);
        server.close();
        assertEquals(List.of("data:hi", "end:writeOnly", "finish:closed", "close:false"), t.events);
    }
}
