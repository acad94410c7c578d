package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.holdsFor;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code cork()} and {@code uncork()} (catalog #88, #96). */
class CorkTest {

    @Test
    @Catalog(88)
    void corked_writes_stay_queued_until_uncork_then_arrive_in_order_with_their_callbacks() throws Exception {
        StringBuffer received = new StringBuffer();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, c -> received.append(new String(c))));
        Server server = Net.createServer(accepted).listen(0, HOST);
        AtomicBoolean connected = new AtomicBoolean();
        Socket client = Net.socket().resume();
        Trace t = Trace.ofLifecycle(client);
        client.connect(port(server), HOST, () -> connected.set(true));
        Socket peer = accepted.next();
        waitFor().until(connected::get);

        List<Integer> callbacks = new CopyOnWriteArrayList<>();
        StringBuilder expected = new StringBuilder();
        assertSame(client, client.cork());
        client.cork();                                                 // nested: needs two uncorks
        for (int i = 0; i < 100; i++) {
            int index = i;
            expected.append(i).append(',');
            assertTrue(client.write(i + ",", error -> callbacks.add(index)));
        }
        long queued = expected.length();
        assertEquals(queued, client.writableLength());
        client.uncork();
        holdsFor(100).until(() -> client.writableLength() == queued && peer.bytesRead() == 0 && callbacks.isEmpty());
        assertSame(client, client.uncork());
        waitFor().until(() -> received.length() == expected.length() && callbacks.size() == 100);
        assertEquals(expected.toString(), received.toString());
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            inOrder.add(i);
        }
        assertEquals(inOrder, callbacks);
        assertEquals(0, client.writableLength());

        client.end();
        waitFor().until(() -> t.closed() && peer.destroyed());
        server.close();
    }

    @Test
    @Catalog(96)
    void a_hundred_rounds_of_two_small_corked_writes_never_return_false() throws Exception {
        AtomicInteger received = new AtomicInteger();
        Server server = Net.createServer(s -> s.on(Socket.DATA, c -> received.addAndGet(c.length))).listen(0, HOST);
        AtomicInteger falses = new AtomicInteger();
        Socket client = Net.socket().resume();
        Trace t = Trace.ofLifecycle(client);
        client.connect(port(server), HOST, () -> {                     // #96
            for (int i = 0; i < 100; i++) {
                client.cork();
                if (!client.write(new byte[2])) {
                    falses.incrementAndGet();
                }
                if (!client.write(new byte[2])) {
                    falses.incrementAndGet();
                }
                client.uncork();
            }
            client.end();
        });
        waitFor().until(t::closed);
        server.close();
        assertEquals(0, falses.get());
        assertEquals(400, received.get());
    }

    @Test
    void end_flushes_a_corked_queue() throws Exception {
        StringBuffer received = new StringBuffer();
        Server server = Net.createServer(s -> s.on(Socket.DATA, c -> received.append(new String(c)))).listen(0, HOST);
        Socket client = Net.socket().resume();
        Trace t = Trace.ofLifecycle(client);
        client.connect(port(server), HOST, () -> {
            client.cork();
            client.write("one ");
            client.end("two");                                        // Node's end() uncorks
        });
        waitFor().until(t::closed);
        server.close();
        assertEquals("one two", received.toString());
    }

    @Test
    @Catalog(88)
    void corked_writes_while_connecting_count_seven_bytes_at_once_at_connect_and_at_end() throws Exception {
        // #88, Node's test-net-socket-byteswritten: the two corked writes are flushed as one gathering write
        // once connected, which once made Node count them wrongly; "twø" is 3 characters and 4 bytes.
        StringBuffer received = new StringBuffer();                    // one char per byte: no split to mend
        Server server = Net.createServer(s -> s.on(Socket.DATA,
                c -> received.append(new String(c, StandardCharsets.ISO_8859_1))).end()).listen(0, HOST);
        Map<String, Long> seen = new ConcurrentHashMap<>();
        Socket client = Net.socket().resume();
        Trace t = Trace.ofLifecycle(client);
        client.on(Socket.CONNECT, () -> seen.put("connect", client.bytesWritten()))
                .on(Socket.END, () -> seen.put("end", client.bytesWritten()));
        CountDownLatch lookup = new CountDownLatch(1);
        Flow.connectHeld(client, port(server), lookup);
        client.cork();
        client.write("one");
        client.write("twø".getBytes(StandardCharsets.UTF_8));
        client.uncork();
        seen.put("uncorked", client.bytesWritten());
        boolean stillConnecting = client.connecting();
        lookup.countDown();
        waitFor().until(() -> t.closed() && received.length() == 7);
        server.close();
        assertTrue(stillConnecting, "the writes were made before the connection existed");
        assertEquals(Map.of("uncorked", 7L, "connect", 7L, "end", 7L), seen);
        assertEquals(7, client.bytesWritten(), "kept after close");
        assertEquals("onetwø", new String(received.toString().getBytes(StandardCharsets.ISO_8859_1),
                StandardCharsets.UTF_8));
    }
}
