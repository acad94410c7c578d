package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server listen forms, address(), LISTENING timing and listen errors (catalog 1-10, 14, 16, 17, 20, 25, 33, 154). */
class ServerListenTest {

    /** Connects a client to the address and waits until it exchanged one byte with an echo, then closes it. */
    private static void assertAccepts(int port) {
        Socket client = Net.socket();
        EventLog log = EventLog.of(client);
        client.connect(port, Loopback.V4, () -> client.end("x"));
        log.awaitClosed();
        assertEquals("x", log.receivedText());
        assertEquals("close:false", log.events.get(log.events.size() - 1));
    }

    private static Server echo() {
        return Net.createServer(s -> s.on(Socket.DATA, s::write));
    }

    @Test
    @Catalog({1, 155})
    void listen_port_binds_the_unspecified_address_and_accepts_on_loopback() {
        Server server = echo();
        assertSame(server, server.listen(0));                       // #1
        AddressInfo address = server.address();
        assertNotNull(address);                                     // #2
        assertTrue(address.port() > 0);
        assertTrue(address.address().equals("::") || address.address().equals("0.0.0.0"), address.toString()); // #155
        assertAccepts(address.port());
        Loopback.closeAndWait(server);
    }

    @Test
    void listen_with_an_empty_host_binds_the_unspecified_address_as_with_no_host() {
        // Node: '' is falsy, so listen(0, '') and listen({port: 0, host: ''}) bind '::' like listen(0)
        Server a = echo().listen(0, "");
        Server b = echo().listen(ListenOptions.builder().port(0).host("").build());
        for (Server server : List.of(a, b)) {
            AddressInfo address = server.address();
            assertTrue(address.address().equals("::") || address.address().equals("0.0.0.0"), address.toString());
            assertAccepts(address.port());
            Loopback.closeAndWait(server);
        }
    }

    @Test
    @Catalog({2, 34})
    void listen_port_host_reports_the_ipv4_address_right_after_listen_returns() {
        Server server = echo().listen(0, "127.0.0.1");
        AddressInfo address = server.address();                     // #2: valid before LISTENING
        assertNotNull(address);
        assertEquals("127.0.0.1", address.address());
        assertEquals(AddressInfo.IPV4, address.family());           // #34
        assertTrue(address.port() > 0);
        assertAccepts(address.port());
        Loopback.closeAndWait(server);
    }

    @Test
    @Catalog(3)
    void listen_port_host_backlog_callback_runs_the_callback_once_listening() {
        AtomicBoolean called = new AtomicBoolean();
        Server server = echo();
        server.listen(0, "127.0.0.1", 8, () -> called.set(server.listening()));
        await().atMost(EventLog.WAIT).untilTrue(called);
        assertEquals(0, server.listenerCount(Server.LISTENING));    // #3: the callback is a once listener
        assertAccepts(server.address().port());
        Loopback.closeAndWait(server);
    }

    @Test
    @Catalog(21)
    void listen_port_callback_runs_the_callback_once_listening() {
        AtomicReference<AddressInfo> seen = new AtomicReference<>();
        Server server = echo();
        server.listen(0, () -> seen.set(server.address()));
        await().atMost(EventLog.WAIT).until(() -> seen.get() != null);
        assertEquals(server.address(), seen.get());
        assertAccepts(seen.get().port());
        Loopback.closeAndWait(server);
    }

    @Test
    @Catalog(21)
    void listen_options_callback_binds_the_given_host_and_runs_the_callback() {
        AtomicBoolean called = new AtomicBoolean();
        Server server = echo().listen(ListenOptions.builder().port(0).host("127.0.0.1").backlog(4).build(),
                () -> called.set(true));
        await().atMost(EventLog.WAIT).untilTrue(called);
        assertEquals("127.0.0.1", server.address().address());
        assertAccepts(server.address().port());
        Loopback.closeAndWait(server);
    }

    @Test
    @Catalog({25, 33})
    void listen_path_serves_a_unix_socket_and_address_is_the_path(@TempDir Path dir) {      // #25, #33
        Path path = dir.resolve("s.sock");
        AtomicBoolean listening = new AtomicBoolean();
        Server server = echo().on(Server.LISTENING, () -> listening.set(true)).listen(path);
        AddressInfo address = server.address();
        assertNotNull(address);
        assertTrue(address.isUnix());
        assertEquals(path, address.path());
        assertEquals(0, address.port());
        await().atMost(EventLog.WAIT).untilTrue(listening);

        Socket client = Net.socket();
        EventLog log = EventLog.of(client);
        client.connect(path, () -> client.end("unix"));
        log.awaitClosed();
        assertEquals("unix", log.receivedText());
        Loopback.closeAndWait(server);
        assertEquals(List.of("connect", "ready", "data", "end", "close:false"),
                log.folded().stream().filter(e -> !e.equals("finish")).toList());
        assertFalse(Files.exists(path), "the socket file is removed on close (#158)");
    }

    @Test
    @Catalog(3)
    void listening_is_emitted_after_listen_returns_and_not_on_the_calling_thread() {   // #3
        AtomicReference<Thread> thread = new AtomicReference<>();
        Server server = Net.createServer().on(Server.LISTENING, () -> thread.set(Thread.currentThread()));
        server.listen(0, "127.0.0.1");
        await().atMost(EventLog.WAIT).until(() -> thread.get() != null);
        assertNotEquals(Thread.currentThread(), thread.get());
        Loopback.closeAndWait(server);
    }

    @Test
    void connection_is_not_emitted_before_the_listening_listeners_have_run() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch clientConnected = new CountDownLatch(1);
        Server server = Net.createServer(s -> {
            order.add("connection");
            s.destroy();
        }).on(Server.LISTENING, () -> {
            // the client's TCP handshake completes (kernel backlog) while this listener still runs; then give a
            // premature accept loop 300 ms to show itself by emitting CONNECTION now
            assertTrue(clientConnected.await(10, TimeUnit.SECONDS));
            try {
                await().atMost(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(2))
                        .until(() -> order.contains("connection"));
            } catch (ConditionTimeoutException expected) {
                // nothing was emitted while LISTENING runs: right
            }
            order.add("listening");
        });
        server.listen(0, "127.0.0.1");
        try (SocketChannel raw = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.address().port()))) {
            clientConnected.countDown();
            EventLog.waiting().until(() -> order.size() == 2);
            assertEquals(List.of("listening", "connection"), order);
            EventLog.waiting().until(() -> raw.read(ByteBuffer.allocate(1)) < 0);   // the server destroyed it
        }
        Loopback.closeAndWait(server);
    }

    @Test
    @Catalog({7, 154})
    void listening_is_false_before_listen_true_when_listening_and_false_in_the_close_callback() {   // #7
        Server server = Net.createServer();
        assertFalse(server.listening());
        AtomicReference<Boolean> inListening = new AtomicReference<>();
        AtomicReference<Boolean> inClose = new AtomicReference<>();
        server.listen(0, "127.0.0.1", 0, () -> inListening.set(server.listening()));   // no (port, host, cb) form
        await().atMost(EventLog.WAIT).until(() -> inListening.get() != null);
        assertTrue(inListening.get());
        server.close(e -> inClose.set(server.listening()));
        await().atMost(EventLog.WAIT).until(() -> inClose.get() != null);
        assertFalse(inClose.get());
        assertNull(server.address(), "a closed TCP server has no address (#154)");
    }

    @Test
    @Catalog(8)
    void a_second_listen_while_listening_throws_err_server_already_listen() {        // #8
        Server server = Net.createServer().listen(0, "127.0.0.1");
        int port = server.address().port();
        NetException e = assertThrows(NetException.class, () -> server.listen(0, "127.0.0.1"));
        assertEquals(NetException.ERR_SERVER_ALREADY_LISTEN, e.code());
        assertEquals("Listen method has been called more than once without closing.", e.getMessage());
        assertTrue(server.listening());
        assertEquals(port, server.address().port());
        Loopback.closeAndWait(server);
    }

    @Test
    @Catalog(10)
    void listen_right_after_close_listens_again() {                                   // #10
        Server server = echo().listen(0, "127.0.0.1");
        server.close();
        server.listen(0, "127.0.0.1");
        assertTrue(server.listening());
        assertAccepts(server.address().port());
        Loopback.closeAndWait(server);
        assertFalse(server.listening());
    }

    @Test
    @Catalog({9, 14, 19})
    void a_second_server_on_a_busy_port_gets_eaddrinuse_and_never_listening() {      // #14, #16, #19
        Server first = Net.createServer().listen(0, "127.0.0.1");
        int port = first.address().port();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean listening = new AtomicBoolean();
        AtomicBoolean closed = new AtomicBoolean();
        Server second = Net.createServer()
                .on(Server.ERROR, error::set)
                .on(Server.CLOSE, () -> closed.set(true));
        second.listen(port, "127.0.0.1", 511, () -> listening.set(true));
        await().atMost(EventLog.WAIT).until(() -> error.get() != null);
        NetException e = assertInstanceOf(NetException.class, error.get());
        assertEquals(NetException.EADDRINUSE, e.code());
        assertTrue(e.getMessage().contains("EADDRINUSE"), e.getMessage());
        assertTrue(e.getMessage().startsWith("listen EADDRINUSE: address already in use"), e.getMessage());
        assertEquals("listen", e.syscall());
        assertEquals("127.0.0.1", e.address());
        assertEquals(port, e.port());
        assertFalse(second.listening());
        assertFalse(listening.get());
        assertFalse(closed.get(), "an error does not emit close (#19)");

        second.listen(0, "127.0.0.1");                                                // #9: reusable at once
        assertTrue(second.listening());
        // As in Node, the failed listen's callback stayed registered as a once listener: it runs now.
        await().atMost(EventLog.WAIT).untilTrue(listening);
        Loopback.closeAndWait(second);
        Loopback.closeAndWait(first);
    }

    @Test
    @Catalog(20)
    void listen_with_port_minus_one_or_65536_throws_err_socket_bad_port() {          // #20
        Server server = Net.createServer();
        for (int bad : new int[] {-1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            NetException a = assertThrows(NetException.class, () -> server.listen(bad));
            assertEquals(NetException.ERR_SOCKET_BAD_PORT, a.code());
            NetException b = assertThrows(NetException.class, () -> server.listen(bad, "127.0.0.1"));
            assertEquals(NetException.ERR_SOCKET_BAD_PORT, b.code());
            NetException c = assertThrows(NetException.class, () -> server.listen(bad, "127.0.0.1", 1, () -> { }));
            assertEquals(NetException.ERR_SOCKET_BAD_PORT, c.code());
            NetException d = assertThrows(NetException.class, () -> server.listen(bad, () -> { }));
            assertEquals(NetException.ERR_SOCKET_BAD_PORT, d.code());
            assertTrue(a.getMessage().contains("should be >= 0 and < 65536"), a.getMessage());
        }
        assertFalse(server.listening());
    }

    /**
     * Runs {@code listen(port, host, 511, callback).close()} inside a LISTENING listener of another server, where
     * the new server's events wait until the listener returns (Node's single tick; on a plain thread LISTENING
     * may run before {@code close()}), and checks that CLOSE comes, the callback never runs and no error.
     */
    private static void assertCloseRightAfterListen(String host) {
        AtomicBoolean listening = new AtomicBoolean();
        AtomicBoolean closeEvent = new AtomicBoolean();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicReference<Server> tested = new AtomicReference<>();
        Server other = Net.createServer().on(Server.LISTENING, () -> {
            Server server = Net.createServer().on(Server.ERROR, errors::add)
                    .on(Server.CLOSE, () -> closeEvent.set(true));
            server.listen(0, host, 511, () -> listening.set(true)).close();
            tested.set(server);
        });
        other.listen(0, "127.0.0.1");
        await().atMost(EventLog.WAIT).untilTrue(closeEvent);
        await().during(Duration.ofMillis(100)).atMost(EventLog.WAIT).until(() -> !listening.get());
        assertTrue(errors.isEmpty(), errors::toString);
        assertFalse(tested.get().listening());
        assertNull(tested.get().address());
        Loopback.closeAndWait(other);
    }

    @Test
    @Catalog({4, 5})
    void close_right_after_listen_means_the_listen_callback_never_runs_and_no_error() {      // #4, #5
        assertCloseRightAfterListen("127.0.0.1");
    }

    @Test
    @Catalog(6)
    void close_right_after_listen_on_localhost_closes_and_never_listens() {                   // #6
        // loomnet resolves the host inside listen (Node: a lookup still pending, which close discards)
        assertCloseRightAfterListen("localhost");
    }

    @Test
    @Catalog({16, 17})
    void listen_on_an_address_that_is_not_local_gives_an_async_eaddrnotavail_and_never_listening() {   // #16, #17
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean listening = new AtomicBoolean();
        Server server = Net.createServer().on(Server.ERROR, error::set);
        server.listen(0, "192.0.2.1", 511, () -> listening.set(true));            // TEST-NET-1: on no interface
        await().atMost(EventLog.WAIT).until(() -> error.get() != null);
        NetException e = assertInstanceOf(NetException.class, error.get());
        assertEquals("EADDRNOTAVAIL", e.code());
        assertTrue(e.getMessage().startsWith("listen EADDRNOTAVAIL"), e.getMessage());
        assertEquals("listen", e.syscall());
        assertEquals("192.0.2.1", e.address());
        assertFalse(server.listening());
        await().during(Duration.ofMillis(100)).atMost(EventLog.WAIT).until(() -> !listening.get());
    }
}
