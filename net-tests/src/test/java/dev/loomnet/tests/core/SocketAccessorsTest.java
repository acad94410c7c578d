package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.ReadyState;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.TestServer;
import dev.loomnet.tests.Catalog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Addresses, ports, families, readyState and the state flags (catalog #34, #59-65, #104, #108, #109, #154). */
class SocketAccessorsTest {

    /** Connects a client to a server on {@code host}; checks the accessors on both ends inside their listeners. */
    private static void assertAddressesOver(String host, String family) {
        Map<String, Object> seen = new ConcurrentHashMap<>();
        AtomicReference<Socket> accepted = new AtomicReference<>();
        Server server = Net.createServer(s -> {
            accepted.set(s);
            seen.put("server.remotePort", s.remotePort());
            seen.put("server.address", s.address());             // while connected
            s.resume();
        });
        server.listen(0, host);
        AddressInfo serverAddress = server.address();
        assertEquals(new AddressInfo(host, family, serverAddress.port()), serverAddress);

        Socket client = Net.socket();
        EventLog log = EventLog.withoutData(client);
        client.on(Socket.CONNECT, () -> {
            seen.put("client.localPort", client.localPort());
            seen.put("client.address", client.address());
            client.end();
        });
        client.connect(serverAddress.port(), host);
        await().atMost(EventLog.WAIT).until(() -> seen.size() == 4);
        Socket s = accepted.get();
        int clientPort = (int) seen.get("client.localPort");
        assertAll(
                () -> assertEquals(host, client.remoteAddress()),
                () -> assertEquals(family, client.remoteFamily()),
                () -> assertEquals(serverAddress.port(), client.remotePort()),
                () -> assertEquals(host, client.localAddress()),
                () -> assertEquals(family, client.localFamily()),
                () -> assertTrue(clientPort > 0),
                () -> assertEquals(new AddressInfo(host, family, clientPort), seen.get("client.address")),
                () -> assertEquals(host, s.localAddress(), "#64"),
                () -> assertEquals(serverAddress.port(), s.localPort(), "#64"),
                () -> assertEquals(serverAddress.family(), s.localFamily(), "#34"),
                () -> assertEquals(host, s.remoteAddress()),
                () -> assertEquals(family, s.remoteFamily()),
                () -> assertEquals(clientPort, seen.get("server.remotePort"), "#65"),
                () -> assertEquals(new AddressInfo(host, family, serverAddress.port()), seen.get("server.address")),
                () -> assertSame(server, s.server()),
                () -> assertNull(client.server()));
        client.resume();
        log.awaitClosed();
        // #62: still readable after close; address() is gone with the connection (#156)
        assertEquals(host, client.remoteAddress());
        assertEquals(serverAddress.port(), client.remotePort());
        assertNull(client.address());
        Loopback.closeAndWait(server);
    }

    @Test
    @Catalog({34, 35, 64})
    void ipv4_addresses_ports_and_families_are_node_shaped_on_both_ends() {
        assertAddressesOver("127.0.0.1", AddressInfo.IPV4);
    }

    @Test
    @Catalog(65)
    void ipv6_loopback_addresses_ports_and_families_are_node_shaped_on_both_ends() {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress("::1", 0));
        } catch (IOException | UnsupportedOperationException e) {
            assumeTrue(false, "::1 cannot be bound here: " + e);
        }
        assertAddressesOver("::1", AddressInfo.IPV6);
    }

    @Test
    @Catalog({60, 151})
    void a_socket_that_never_connected_has_no_addresses_and_is_pending() {             // #60, #62
        Socket s = Net.socket();
        assertAll(
                () -> assertNull(s.address()),
                () -> assertNull(s.remoteAddress()),
                () -> assertNull(s.remoteFamily()),
                () -> assertEquals(0, s.remotePort()),
                () -> assertNull(s.localAddress()),
                () -> assertEquals(0, s.localPort()),
                () -> assertNull(s.localFamily()),
                () -> assertTrue(s.pending()),
                () -> assertFalse(s.connecting()),
                () -> assertFalse(s.destroyed()),
                () -> assertTrue(s.readable(), "#151"),
                () -> assertTrue(s.writable(), "#151"),
                () -> assertFalse(s.allowHalfOpen(), "#104"),
                () -> assertNull(s.server()),
                () -> assertEquals(0, s.bytesRead()),
                () -> assertEquals(0, s.bytesWritten()));
    }

    @Test
    @Catalog({59, 60, 61, 62, 63})
    void connecting_and_pending_are_true_until_connect_is_emitted_then_false() {        // #59, #60, #61
        TestServer server = TestServer.echo();
        int port = server.port();
        Map<String, Object> seen = new ConcurrentHashMap<>();
        Server host = Net.createServer();
        // Created inside a listener, the socket emits nothing before the listener returns (Node's next tick),
        // so "right after connect returns" is well defined even though the connection has its own thread.
        host.on(Server.LISTENING, () -> {
            Socket s = Net.socket();
            seen.put("before.pending", s.pending());
            seen.put("before.connecting", s.connecting());
            EventLog log = EventLog.withoutData(s);
            s.connect(port, Loopback.V4, () -> {
                seen.put("connect.connecting", s.connecting());
                seen.put("connect.pending", s.pending());
                seen.put("connect.readyState", s.readyState());
                seen.put("connect.remotePort", s.remotePort());
                s.destroy();
            });
            seen.put("returned.connecting", s.connecting());
            seen.put("returned.pending", s.pending());
            seen.put("returned.readyState", s.readyState());
            seen.put("returned.remoteAddress", String.valueOf(s.remoteAddress()));
            seen.put("socket", s);
            seen.put("log", log);
        });
        host.listen(0, Loopback.V4);
        EventLog.waiting().until(() -> seen.containsKey("log"));
        ((EventLog) seen.get("log")).awaitClosed();
        Socket s = (Socket) seen.get("socket");
        try {
            assertAll(
                    () -> assertEquals(true, seen.get("before.pending")),
                    () -> assertEquals(false, seen.get("before.connecting")),
                    () -> assertEquals(true, seen.get("returned.connecting")),
                    () -> assertEquals(true, seen.get("returned.pending")),
                    () -> assertEquals(ReadyState.OPENING, seen.get("returned.readyState")),
                    () -> assertEquals("null", seen.get("returned.remoteAddress"), "#62"),
                    () -> assertEquals(false, seen.get("connect.connecting")),
                    () -> assertEquals(false, seen.get("connect.pending")),
                    () -> assertEquals(ReadyState.OPEN, seen.get("connect.readyState")),
                    () -> assertEquals(port, seen.get("connect.remotePort")),
                    () -> assertTrue(s.pending(), "pending again after close (#60)"),
                    () -> assertFalse(s.connecting()),
                    () -> assertEquals(ReadyState.CLOSED, s.readyState()));
        } finally {
            Loopback.closeAndWait(host);
            EventLog.waiting().until(() -> server.connections().isEmpty());
            server.close();
        }
    }

    /** The remote fields as a list, or what reading them threw. */
    private static Object remote(Socket s) {
        try {
            return java.util.Arrays.asList(s.remoteAddress(), s.remoteFamily(), s.remotePort());
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    @Catalog(63)
    void remote_fields_read_while_connecting_to_a_closed_port_and_after_the_refusal_are_empty() throws Exception {
        // #63, Node's test-net-during-close reads them while connecting to a server that is closing: they never
        // throw, and are undefined (null, port 0) while connecting, at ERROR and at CLOSE, as in Node 20
        int port = Loopback.closedPort();
        Map<String, Object> seen = new ConcurrentHashMap<>();
        Socket s = Net.socket();
        EventLog log = EventLog.withoutData(s);
        s.on(Socket.ERROR, e -> seen.put("error", remote(s)))
                .on(Socket.CLOSE, hadError -> seen.put("close", remote(s)));
        CountDownLatch lookup = new CountDownLatch(1);
        Loopback.connectHeld(s, port, lookup);                 // surely connecting until released
        seen.put("connecting", s.connecting());
        seen.put("while connecting", remote(s));
        lookup.countDown();
        log.awaitClosed();
        EventLog.waiting().until(() -> seen.containsKey("close"));
        List<Object> none = java.util.Arrays.asList(null, null, 0);
        assertAll(
                () -> assertEquals(true, seen.get("connecting")),
                () -> assertEquals(none, seen.get("while connecting")),
                () -> assertEquals(none, seen.get("error")),
                () -> assertEquals(none, seen.get("close")),
                () -> assertEquals(none, remote(s), "after close"),
                () -> assertEquals(List.of("error:ECONNREFUSED", "close:true"), log.events));
    }

    @Test
    void ready_state_goes_open_then_read_only_after_end_then_closed() {
        TestServer server = TestServer.echo();
        List<Object> states = new CopyOnWriteArrayList<>();
        Socket s = Net.socket();
        EventLog log = EventLog.withoutData(s);
        s.on(Socket.CLOSE, hadError -> states.add(s.readyState()));
        s.connect(server.port(), Loopback.V4, () -> {
            states.add(s.readyState());
            s.end();
            states.add(s.readyState());
            states.add(s.readable());
            states.add(s.writable());
            s.resume();
        });
        log.awaitClosed();
        // the log's CLOSE listener was added first: the one above may still be running
        EventLog.waiting().until(() -> states.size() == 5);
        assertEquals(List.of(ReadyState.OPEN, ReadyState.READ_ONLY, true, false, ReadyState.CLOSED), states);
        assertTrue(s.destroyed());
        assertFalse(s.readable());
        assertFalse(s.writable());
        server.close();
    }

    @Test
    @Catalog({108, 109})
    void a_half_open_client_is_write_only_after_the_peer_ends_and_can_still_write() {   // #108, #109
        AtomicReference<String> serverGot = new AtomicReference<>("");
        Server server = Net.createServer(s -> {
            s.on(Socket.DATA, chunk -> serverGot.accumulateAndGet(new String(chunk), String::concat));
            s.end();
        }).listen(0, Loopback.V4);
        List<Object> atEnd = new CopyOnWriteArrayList<>();
        Socket client = Net.connect(ConnectOptions.builder().port(server.address().port()).host(Loopback.V4)
                .allowHalfOpen(true).build());
        EventLog log = EventLog.withoutData(client);
        client.on(Socket.END, () -> {
            atEnd.add(client.readyState());
            atEnd.add(client.readable());
            atEnd.add(client.writable());
            atEnd.add(client.write("still"));
            client.end();
        });
        client.resume();
        log.awaitClosed();
        assertTrue(client.allowHalfOpen());
        assertEquals(List.of(ReadyState.WRITE_ONLY, false, true, true), atEnd);
        await().atMost(EventLog.WAIT).until(() -> serverGot.get().equals("still"));
        assertEquals(List.of("end", "finish", "close:false"),
                log.events.stream().filter(e -> !e.equals("connect") && !e.equals("ready")).toList());
        Loopback.closeAndWait(server);
    }

    @Test
    void a_half_open_server_gives_its_accepted_sockets_allow_half_open() {
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Server server = Net.createServer(ServerOptions.builder().allowHalfOpen(true).build(), s -> {
            flag.set(s.allowHalfOpen());
            s.on(Socket.END, s::end).resume();
        }).listen(0, Loopback.V4);
        Socket client = Net.socket();
        EventLog log = EventLog.of(client);
        client.connect(server.address().port(), Loopback.V4, client::end);
        log.awaitClosed();
        assertEquals(true, flag.get());
        Loopback.closeAndWait(server);
    }
}
