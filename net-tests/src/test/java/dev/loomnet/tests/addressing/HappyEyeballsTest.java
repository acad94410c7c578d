package dev.loomnet.tests.addressing;

import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.V4_2;
import static dev.loomnet.tests.server.Fixtures.V4_3;
import static dev.loomnet.tests.server.Fixtures.V6;
import static dev.loomnet.tests.server.Fixtures.closeAndWait;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import dev.loomnet.tests.server.Fixtures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code autoSelectFamily} (RFC 8305 "Happy Eyeballs") with custom lookups that answer loopback addresses only
 * (catalog #72-#76): a server listens on 127.0.0.1, so the same port on 127.0.0.2 or 127.0.0.3 refuses, and a
 * full accept queue on 127.0.0.3 makes a connect stall.
 */
class HappyEyeballsTest {

    private static Lookup answering(Lookup.Address... addresses) {
        return (host, family) -> List.of(addresses);
    }

    private static Lookup.Address v4(String ip) {
        return new Lookup.Address(ip, 4);
    }

    private static ConnectOptions.Builder options(int port, Lookup lookup) {
        return ConnectOptions.builder().host("dual.test").port(port).lookup(lookup).autoSelectFamily(true)
                .autoSelectFamilyAttemptTimeout(Duration.ofMillis(250));
    }

    @Test
    @Catalog(76)
    void a_refusing_first_address_is_skipped_and_the_second_connects() {                        // #72, #76
        Server server = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>())).listen(0, V4);
        int port = server.address().port();
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(options(port, answering(v4(V4_2), v4(V4))).build());
        t.await("connect");
        assertEquals(List.of(
                "lookup:127.0.0.2/4/dual.test",
                "lookup:127.0.0.1/4/dual.test",
                "attempt:127.0.0.2:" + port + "/4",
                "failed:127.0.0.2:" + port + "/4:ECONNREFUSED",
                "attempt:127.0.0.1:" + port + "/4",
                "connect",
                "ready"), t.events);
        assertEquals(List.of("127.0.0.2:" + port, "127.0.0.1:" + port), c.autoSelectFamilyAttemptedAddresses());
        assertEquals(V4, c.remoteAddress());
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    @Test
    @Catalog(72)
    void a_refusing_ipv6_first_address_falls_back_to_ipv4_as_in_node() {                               // #72
        assumeTrue(Fixtures.ipv6Loopback(), "::1 cannot be bound here");
        Server server = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>())).listen(0, V4);
        int port = server.address().port();
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(options(port, answering(new Lookup.Address(V6, 6), v4(V4))).build());
        t.await("connect");
        assertEquals(List.of("::1:" + port, "127.0.0.1:" + port), c.autoSelectFamilyAttemptedAddresses());
        assertTrue(t.has("failed:::1:" + port + "/6:ECONNREFUSED"), t.toString());
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    @Test
    @Catalog(72)
    void addresses_alternate_families_starting_with_the_first_answer_without_duplicates() {          // #72
        assumeTrue(Fixtures.ipv6Loopback(), "::1 cannot be bound here");
        Server server = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>())).listen(0, V4_3);
        int port = server.address().port();
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(options(port, answering(v4(V4), v4(V4_2), v4(V4), new Lookup.Address(V6, 6), v4(V4_3))).build());
        t.await("connect");
        assertEquals(List.of("127.0.0.1:" + port, "::1:" + port, "127.0.0.2:" + port, "127.0.0.3:" + port),
                c.autoSelectFamilyAttemptedAddresses());
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    /**
     * Fills the accept queue of a listener that never accepts until a further connect does not complete: the
     * listener drops SYNs once its queue is full, so a connect to it stalls. Bounded to 16 fillers of 200 ms.
     */
    private static final class StalledListener implements AutoCloseable {
        final ServerSocketChannel listener;
        final List<SocketChannel> fillers = new ArrayList<>();
        final int port;

        StalledListener(String host) throws IOException {
            listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress(host, 0), 1);
            port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < 16; i++) {
                    if (!connects(selector, listener.getLocalAddress())) {
                        return;                                  // that one stalled: the queue is full
                    }
                }
            }
            close();
            throw new AssertionError("16 connects to a backlog-1 listener all completed");
        }

        private boolean connects(Selector selector, SocketAddress target) throws IOException {
            SocketChannel ch = SocketChannel.open();
            fillers.add(ch);
            ch.configureBlocking(false);
            if (ch.connect(target)) {
                return true;
            }
            SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT);
            long deadline = System.nanoTime() + 200_000_000L;
            try {
                while (System.nanoTime() < deadline) {
                    selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    selector.selectedKeys().clear();
                    if (ch.finishConnect()) {
                        return true;
                    }
                }
                return false;
            } finally {
                key.cancel();
                selector.selectNow();
            }
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel ch : fillers) {
                ch.close();
            }
            listener.close();
        }
    }

    @Test
    void a_stalled_first_attempt_times_out_and_the_second_address_connects_within_the_attempt_timeout()
            throws Exception {                                                                          // #72, #76
        Server server = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>())).listen(0, V4);
        int port = server.address().port();
        try (StalledListener stalled = new StalledListener(V4_3)) {
            // both addresses must share a port: serve on 127.0.0.1 at the stalled listener's port
            Server second = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>()))
                    .listen(stalled.port, V4);
            Socket c = Net.socket();
            Fixtures.Trace t = Fixtures.Trace.of(c);
            long start = System.nanoTime();
            c.connect(ConnectOptions.builder().host("stall.test").port(stalled.port)
                    .lookup(answering(v4(V4_3), v4(V4))).autoSelectFamily(true)
                    .autoSelectFamilyAttemptTimeout(Duration.ofMillis(100)).build());
            t.await("connect");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            int p = stalled.port;
            assertEquals(List.of(
                    "lookup:127.0.0.3/4/stall.test",
                    "lookup:127.0.0.1/4/stall.test",
                    "attempt:127.0.0.3:" + p + "/4",
                    "attempt-timeout:127.0.0.3:" + p + "/4",
                    "attempt:127.0.0.1:" + p + "/4",
                    "connect",
                    "ready"), t.events);
            assertEquals(List.of("127.0.0.3:" + p, "127.0.0.1:" + p), c.autoSelectFamilyAttemptedAddresses());
            assertTrue(tookMs >= 100, "the first attempt had its 100 ms: " + tookMs);
            assertTrue(tookMs < 5_000, "connected through the second address promptly: " + tookMs);
            c.destroy();
            t.awaitClosed();
            closeAndWait(second);
        }
        closeAndWait(server);
    }

    @Test
    @Catalog({72, 76})
    void when_every_address_fails_one_error_with_the_first_attempts_code_follows_every_attempt() {    // #72, #76
        Server server = Net.createServer().listen(0, V4);
        int port = server.address().port();
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(options(port, answering(v4(V4_2), v4(V4_3))).build());
        t.awaitClosed();
        assertEquals(List.of(
                "lookup:127.0.0.2/4/dual.test",
                "lookup:127.0.0.3/4/dual.test",
                "attempt:127.0.0.2:" + port + "/4",
                "failed:127.0.0.2:" + port + "/4:ECONNREFUSED",
                "attempt:127.0.0.3:" + port + "/4",
                "failed:127.0.0.3:" + port + "/4:ECONNREFUSED",
                "error:ECONNREFUSED",
                "close:true"), t.events);
        Throwable error = t.errors.get(0);
        // Node: an AggregateError whose errors[] holds each attempt's error; loomnet: their NetExceptions as
        // suppressed exceptions of one NetException with the first one's code.
        assertEquals(2, error.getSuppressed().length);
        assertEquals("connect ECONNREFUSED 127.0.0.2:" + port, error.getSuppressed()[0].getMessage());
        assertEquals("connect ECONNREFUSED 127.0.0.3:" + port, error.getSuppressed()[1].getMessage());
        closeAndWait(server);
    }

    @Test
    @Catalog(73)
    void with_auto_select_family_off_only_the_first_address_is_tried() {                              // #73
        Server server = Net.createServer().listen(0, V4);
        int port = server.address().port();
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(options(port, answering(v4(V4_2), v4(V4))).autoSelectFamily(false).build());
        t.awaitClosed();
        assertEquals(List.of(
                "lookup:127.0.0.2/4/dual.test",
                "attempt:127.0.0.2:" + port + "/4",
                "failed:127.0.0.2:" + port + "/4:ECONNREFUSED",
                "error:ECONNREFUSED",
                "close:true"), t.events);
        assertEquals("connect ECONNREFUSED 127.0.0.2:" + port, t.errors.get(0).getMessage());
        assertTrue(c.autoSelectFamilyAttemptedAddresses().isEmpty());
        closeAndWait(server);
    }

    @Test
    void a_local_address_turns_auto_select_family_off() {
        Server server = Net.createServer().listen(0, V4);
        int port = server.address().port();
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(options(port, answering(v4(V4_2), v4(V4))).localAddress(V4).build());
        t.awaitClosed();
        assertEquals("connect ECONNREFUSED 127.0.0.2:" + port, t.errors.get(0).getMessage());
        assertTrue(c.autoSelectFamilyAttemptedAddresses().isEmpty());
        closeAndWait(server);
    }

    @Test
    @Catalog({74, 75})
    void the_module_defaults_have_node_values_and_the_setters_clamp_and_validate() {               // #74, #75
        boolean family = Net.getDefaultAutoSelectFamily();
        Duration timeout = Net.getDefaultAutoSelectFamilyAttemptTimeout();
        try {
            assertTrue(family, "Node 20+ default");
            assertEquals(Duration.ofMillis(250), timeout, "Node 20/22 default");
            Net.setDefaultAutoSelectFamily(false);
            assertFalse(Net.getDefaultAutoSelectFamily());
            assertFalse(ConnectOptions.builder().port(1).build().autoSelectFamily(), "options built later use it");
            Net.setDefaultAutoSelectFamilyAttemptTimeout(Duration.ofMillis(1));
            assertEquals(Duration.ofMillis(10), Net.getDefaultAutoSelectFamilyAttemptTimeout());
            Net.setDefaultAutoSelectFamilyAttemptTimeout(Duration.ofMillis(9));
            assertEquals(Duration.ofMillis(10), Net.getDefaultAutoSelectFamilyAttemptTimeout());
            Net.setDefaultAutoSelectFamilyAttemptTimeout(Duration.ofMillis(300));
            assertEquals(Duration.ofMillis(300), ConnectOptions.builder().port(1).build()
                    .autoSelectFamilyAttemptTimeout());
            for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(-10))) {
                NetException e = assertThrows(NetException.class,
                        () -> Net.setDefaultAutoSelectFamilyAttemptTimeout(bad));
                assertEquals(NetException.ERR_OUT_OF_RANGE, e.code());
                NetException o = assertThrows(NetException.class,
                        () -> ConnectOptions.builder().autoSelectFamilyAttemptTimeout(bad));
                assertEquals(NetException.ERR_OUT_OF_RANGE, o.code());
            }
            assertEquals(Duration.ofMillis(10), ConnectOptions.builder().port(1)
                    .autoSelectFamilyAttemptTimeout(Duration.ofMillis(5)).build().autoSelectFamilyAttemptTimeout());
        } finally {
            Net.setDefaultAutoSelectFamily(family);
            Net.setDefaultAutoSelectFamilyAttemptTimeout(timeout);
        }
    }
}
