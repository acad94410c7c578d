package dev.loomnet.tests.addressing;

import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.V4_2;
import static dev.loomnet.tests.server.Fixtures.V6;
import static dev.loomnet.tests.server.Fixtures.closeAndWait;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Connect: host resolution and {@code LOOKUP}, custom lookups and their errors, local binding, {@code timeout},
 * {@code connecting()} and {@code pending()} (catalog #46, #48-#56, #59, #60, #68). Custom lookups answer loopback
 * addresses only: no test resolves a name through the network.
 */
class ConnectLookupTest {

    private static List<String> beforeConnect(Fixtures.Trace t) {
        int i = t.events.indexOf("connect");
        return i < 0 ? t.events : t.events.subList(0, i);
    }

    @Test
    @Catalog(51)
    void localhost_is_looked_up_and_lookup_fires_before_connect() {                               // #51
        assertLooksUpLocalhost("localhost");
    }

    @Test
    void an_empty_host_is_localhost_as_in_node() {
        assertLooksUpLocalhost("");                       // Node: options.host || 'localhost'
    }

    private static void assertLooksUpLocalhost(String host) {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0);   // :: takes 127.0.0.1 and ::1
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(server.address().port(), host);
        t.await("connect");
        List<String> lookups = t.events.stream().filter(e -> e.startsWith("lookup")).toList();
        assertFalse(lookups.isEmpty(), t.toString());
        assertTrue(lookups.stream().allMatch(e -> e.equals("lookup:127.0.0.1/4/localhost")
                || e.equals("lookup:::1/6/localhost")), t.toString());
        assertTrue(t.events.indexOf("connect") > t.events.indexOf(lookups.get(lookups.size() - 1)));
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    @Test
    @Catalog(52)
    void an_ip_literal_is_not_looked_up() {                                                        // #52
        Server server = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>())).listen(0, V4);
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(server.address().port(), V4);
        t.await("connect");
        assertEquals(List.of("attempt:127.0.0.1:" + server.address().port() + "/4", "connect", "ready"),
                t.events.subList(0, 3));
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    @Test
    @Catalog(50)
    void a_custom_lookup_gets_host_and_family_and_its_answer_is_used() {                          // #50
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4_2);
        List<String> calls = new CopyOnWriteArrayList<>();
        Lookup lookup = (host, family) -> {
            calls.add(host + " " + family + " on " + (Thread.currentThread().isVirtual() ? "virtual" : "platform"));
            return List.of(new Lookup.Address(V4_2, 4));
        };
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host("my-service").port(server.address().port()).family(4)
                .lookup(lookup).build());
        t.await("connect");
        assertEquals(List.of("my-service 4 on virtual"), calls, "resolved on the connection's virtual thread");
        assertEquals(List.of("lookup:127.0.0.2/4/my-service", "attempt:127.0.0.2:" + server.address().port() + "/4"),
                beforeConnect(t));
        assertEquals(V4_2, c.remoteAddress());
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    @Test
    @Catalog(50)
    void family_6_is_passed_to_the_lookup_and_an_ipv6_answer_connects_to_colon_colon_1() {        // #50
        assumeTrue(Fixtures.ipv6Loopback(), "::1 cannot be bound here");
        Server server = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>())).listen(0, V6);
        List<Integer> families = new CopyOnWriteArrayList<>();
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host("v6-service").port(server.address().port()).family(6)
                .lookup((host, family) -> {
                    families.add(family);
                    return List.of(new Lookup.Address(V6, 6));
                }).build());
        t.await("connect");
        assertEquals(List.of(6), families);
        assertTrue(t.has("lookup:::1/6/v6-service"), t.toString());
        assertEquals(V6, c.remoteAddress());
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    @Test
    void a_custom_lookup_may_ask_a_loomnet_socket_for_the_address_and_that_socket_gets_all_its_events() {
        Server target = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>())).listen(0, V4_2);
        Server registry = Net.createServer(s -> s.resume().end(V4_2)).listen(0, V4);   // answers, then ends
        int registryPort = registry.address().port();
        List<Fixtures.Trace> askers = new CopyOnWriteArrayList<>();
        Lookup lookup = (host, family) -> {
            // A socket created inside the lookup: its events must arrive while the lookup waits for them.
            CompletableFuture<String> answer = new CompletableFuture<>();
            StringBuilder text = new StringBuilder();
            Socket asker = Net.socket();
            askers.add(Fixtures.Trace.of(asker));
            asker.on(Socket.DATA, chunk -> text.append(new String(chunk, StandardCharsets.UTF_8)))
                    .on(Socket.END, () -> answer.complete(text.toString()));
            asker.connect(registryPort, V4);
            return List.of(new Lookup.Address(answer.get(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS), 4));
        };
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host("registered-name").port(target.address().port()).family(4)
                .lookup(lookup).build());
        t.await("connect");
        assertEquals(List.of("lookup:127.0.0.2/4/registered-name",
                "attempt:127.0.0.2:" + target.address().port() + "/4"), beforeConnect(t));
        assertEquals(V4_2, c.remoteAddress());
        Fixtures.Trace asker = askers.get(0).awaitClosed();          // not held by the connecting socket's queue
        assertEquals(List.of("attempt:127.0.0.1:" + registryPort + "/4", "connect", "ready", "end", "close:false"),
                asker.events);
        c.destroy();
        t.awaitClosed();
        closeAndWait(registry);
        closeAndWait(target);
    }

    @Test
    @Catalog(48)
    void a_lookup_answering_family_100_gives_err_invalid_address_family() {                        // #48
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host("localhost").port(1)
                .lookup((host, family) -> List.of(new Lookup.Address(V4, 100))).build());
        t.awaitClosed();
        assertEquals(List.of("lookup:127.0.0.1/100/localhost", "error:ERR_INVALID_ADDRESS_FAMILY", "close:true"),
                t.events);
        NetException e = (NetException) t.errors.get(0);
        assertEquals("Invalid address family: 100 localhost:1", e.getMessage());
        assertEquals("localhost", e.address());
        assertEquals(1, e.port());
    }

    @Test
    @Catalog(49)
    void a_lookup_answering_a_non_ip_gives_err_invalid_ip_address() {                                // #49
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host("my-service").port(1)
                .lookup((host, family) -> List.of(new Lookup.Address("not-an-ip", 4))).build());
        t.awaitClosed();
        assertEquals(List.of("lookup:not-an-ip/4/my-service", "error:ERR_INVALID_IP_ADDRESS", "close:true"),
                t.events);
        assertEquals("Invalid IP address: not-an-ip", t.errors.get(0).getMessage());
    }

    /**
     * A {@code null} in the answer used to reach the socket's event thread as a bare NullPointerException: as
     * {@code ERROR}, and, when the connection thread's own failure came first, also to the uncaught handler
     * (which this test's extension would report). Both with and without {@code autoSelectFamily}.
     */
    @Test
    void a_lookup_answering_a_null_entry_gives_one_err_invalid_arg_type_and_nothing_uncaught() {
        for (boolean auto : new boolean[] {true, false}) {
            List<Lookup.Address> answer = new java.util.ArrayList<>();
            answer.add(new Lookup.Address(V4, 4));
            answer.add(null);
            Socket c = Net.socket();
            Fixtures.Trace t = Fixtures.Trace.of(c);
            c.connect(ConnectOptions.builder().host("my-service").port(1).autoSelectFamily(auto)
                    .lookup((host, family) -> answer).build());
            t.awaitClosed();
            assertEquals(List.of("lookup-error:ERR_INVALID_ARG_TYPE/my-service", "error:ERR_INVALID_ARG_TYPE",
                    "close:true"), t.events);
            assertEquals("The \"lookup\" result must contain only Lookup.Address values. Received null at index 1",
                    t.errors.get(0).getMessage());
        }
    }

    @Test
    @Catalog({53, 54})
    void a_lookup_that_finds_nothing_gives_enotfound_with_lookup_first_and_no_connect() {         // #53, #54
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host("nowhere.invalid").port(1)
                .lookup((host, family) -> List.of()).build());
        t.awaitClosed();
        assertEquals(List.of("lookup-error:ENOTFOUND/nowhere.invalid", "error:ENOTFOUND", "close:true"), t.events);
        NetException e = (NetException) t.errors.get(0);
        assertEquals("getaddrinfo ENOTFOUND nowhere.invalid", e.getMessage());
        assertEquals("getaddrinfo", e.syscall());
        assertNull(e.address(), "DNS errors carry no host/port properties");
    }

    @Test
    @Catalog(53)
    void an_error_thrown_by_a_custom_lookup_is_reported_with_lookup_then_error() {                  // #53
        NetException failure = new NetException(NetException.ENOTFOUND, "getaddrinfo ENOTFOUND db.internal");
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host("db.internal").port(1)
                .lookup((host, family) -> {
                    throw failure;
                }).build());
        t.awaitClosed();
        assertEquals(List.of("lookup-error:ENOTFOUND/db.internal", "error:ENOTFOUND", "close:true"), t.events);
        assertTrue(t.errors.get(0) == failure, "the lookup's own error, as Node passes it on");
    }

    @Test
    void a_socket_created_inside_a_listener_emits_its_failed_lookup_before_error() {                     // #53
        List<Fixtures.Trace> traces = new CopyOnWriteArrayList<>();
        Server server = Net.createServer();
        server.listen(0, V4, () -> {
            Socket c = Net.socket();                      // held: it emits nothing before this listener returns
            traces.add(Fixtures.Trace.of(c));
            c.connect(ConnectOptions.builder().host("nowhere.invalid").port(1)
                    .lookup((host, family) -> List.of()).build());
            waiting().until(c::destroyed);                // so its LOOKUP runs when the socket is closed already
        });
        waiting().until(() -> traces.size() == 1);
        Fixtures.Trace t = traces.get(0).awaitClosed();
        assertEquals(List.of("lookup-error:ENOTFOUND/nowhere.invalid", "error:ENOTFOUND", "close:true"), t.events);
        closeAndWait(server);
    }

    @Test
    @Catalog(76)
    void a_socket_created_inside_a_listener_emits_lookup_and_attempt_events_before_a_refused_connects_error() {
        List<Fixtures.Trace> traces = new CopyOnWriteArrayList<>();
        Server server = Net.createServer();
        server.listen(0, V4, () -> {
            Socket c = Net.socket();                      // held: it emits nothing before this listener returns
            traces.add(Fixtures.Trace.of(c));
            c.connect(ConnectOptions.builder().host("refusing.test").port(server.address().port())
                    .lookup((host, family) -> List.of(new Lookup.Address(V4_2, 4))).build());  // refused there
            waiting().until(c::destroyed);                // so its events run when the socket is closed already
        });
        waiting().until(() -> traces.size() == 1);
        Fixtures.Trace t = traces.get(0).awaitClosed();
        int port = server.address().port();
        assertEquals(List.of("lookup:127.0.0.2/4/refusing.test", "attempt:127.0.0.2:" + port + "/4",
                "failed:127.0.0.2:" + port + "/4:ECONNREFUSED", "error:ECONNREFUSED", "close:true"), t.events);
        closeAndWait(server);
    }

    @Test
    void local_address_binds_the_client_to_127_0_0_2() {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4);
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host(V4).port(server.address().port()).localAddress(V4_2).build());
        t.await("connect");
        waiting().until(() -> accepted.size() == 1);
        assertEquals(V4_2, c.localAddress());
        assertEquals(V4_2, accepted.get(0).remoteAddress());
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    @Test
    void local_port_binds_the_client_to_that_port() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4);
        int localPort;
        try (SocketChannel probe = SocketChannel.open()) {           // a port free on 127.0.0.2 a moment ago
            probe.bind(new InetSocketAddress(V4_2, 0));
            localPort = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host(V4).port(server.address().port()).localAddress(V4_2)
                .localPort(localPort).build());
        t.await("connect");
        waiting().until(() -> accepted.size() == 1);
        assertEquals(localPort, c.localPort());
        assertEquals(localPort, accepted.get(0).remotePort());
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    @Test
    @Catalog(68)
    void a_local_port_another_socket_holds_gives_eaddrinuse() throws Exception {                     // #68
        Server server = Net.createServer().listen(0, V4);
        try (SocketChannel holder = SocketChannel.open()) {
            holder.bind(new InetSocketAddress(V4, 0));
            int taken = ((InetSocketAddress) holder.getLocalAddress()).getPort();
            Socket c = Net.socket();
            Fixtures.Trace t = Fixtures.Trace.of(c);
            c.connect(ConnectOptions.builder().host(V4).port(server.address().port()).localAddress(V4)
                    .localPort(taken).build());
            t.awaitClosed();
            assertEquals("error:EADDRINUSE", t.events.get(t.events.size() - 2), t.toString());
            NetException e = (NetException) t.errors.get(0);
            assertEquals("bind EADDRINUSE 127.0.0.1:" + taken, e.getMessage());    // Node's, from the bind
            assertEquals("bind", e.syscall());
        }
        closeAndWait(server);
    }

    @Test
    void a_local_address_of_the_other_family_than_the_target_gives_bind_einval() {
        // The JDK throws an unchecked UnsupportedAddressTypeException there: it reached ERROR as it was
        Server server = Net.createServer().listen(0, V4);
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host(V4).port(server.address().port()).localAddress("::1").build());
        t.awaitClosed();
        assertEquals("error:EINVAL", t.events.get(t.events.size() - 2), t.toString());
        NetException e = (NetException) t.errors.get(0);
        assertEquals("bind EINVAL ::1", e.getMessage());                                // Node's message
        assertEquals("bind", e.syscall());
        assertEquals("::1", e.address());
        closeAndWait(server);
    }

    @Test
    void the_timeout_option_arms_the_idle_timer_before_connecting_and_timeout_leaves_the_socket_open() {
        Server server = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>())).listen(0, V4);
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host(V4).port(server.address().port())
                .timeout(Duration.ofMillis(50)).build());
        assertEquals(Duration.ofMillis(50), c.timeout(), "set before connect() returns");
        t.await("timeout");
        assertFalse(t.closed(), "TIMEOUT does not close the socket");
        assertFalse(c.destroyed());
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    @Test
    @Catalog(59)
    void connecting_and_pending_are_true_exactly_while_node_says_so() throws Exception {           // #59, #60
        Server server = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>())).listen(0, V4);
        CountDownLatch release = new CountDownLatch(1);
        Socket c = Net.socket();
        List<String> states = new CopyOnWriteArrayList<>();
        c.on(Socket.CONNECT, () -> states.add("in connect: connecting=" + c.connecting() + " pending=" + c.pending()));
        c.on(Socket.CLOSE, hadError -> states.add("in close: connecting=" + c.connecting() + " pending="
                + c.pending()));
        Fixtures.Trace t = Fixtures.Trace.of(c);
        assertFalse(c.connecting());
        assertTrue(c.pending(), "pending before connect()");
        c.connect(ConnectOptions.builder().host("slow-name").port(server.address().port())
                .lookup((host, family) -> {
                    release.await(10, TimeUnit.SECONDS);      // holds the connect in its lookup
                    return List.of(new Lookup.Address(V4, 4));
                }).build());
        assertTrue(c.connecting(), "connecting right after connect() returns");
        assertTrue(c.pending(), "pending while connecting");
        release.countDown();
        t.await("connect");
        assertFalse(c.connecting());
        assertFalse(c.pending());
        c.destroy();
        t.awaitClosed();
        assertEquals(List.of("in connect: connecting=false pending=false",
                "in close: connecting=false pending=true"), states);
        closeAndWait(server);
    }

    @Test
    @Catalog(46)
    void a_local_address_that_is_not_an_ip_is_err_invalid_ip_address() {                         // #46
        NetException e = assertThrows(NetException.class,
                () -> ConnectOptions.builder().port(80).localAddress("foobar").build());
        assertEquals(NetException.ERR_INVALID_IP_ADDRESS, e.code());
    }

    @Test
    @Catalog(55)
    void end_while_the_lookup_is_pending_still_reports_the_lookup_error() throws Exception {     // #55
        CountDownLatch ended = new CountDownLatch(1);
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host("nowhere.invalid").port(80)
                .lookup((host, family) -> {
                    ended.await(30, TimeUnit.SECONDS);               // a lookup may block: its own thread
                    return List.of();
                }).build());
        assertTrue(c.connecting());
        c.end();
        ended.countDown();
        t.awaitClosed();
        assertEquals(List.of("lookup-error:ENOTFOUND/nowhere.invalid", "error:ENOTFOUND", "close:true"), t.events);
    }

    @Test
    @Catalog(56)
    void destroy_while_the_lookup_is_pending_gives_no_error_and_closes() throws Exception {      // #56
        CountDownLatch destroyed = new CountDownLatch(1);
        CountDownLatch answered = new CountDownLatch(1);
        Server server = Net.createServer(Fixtures.collect(new CopyOnWriteArrayList<>())).listen(0, V4);
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(ConnectOptions.builder().host("example.test").port(server.address().port())
                .lookup((host, family) -> {
                    destroyed.await(30, TimeUnit.SECONDS);
                    answered.countDown();
                    return List.of(new Lookup.Address(V4, 4));
                }).build());
        c.destroy();
        destroyed.countDown();
        t.awaitClosed();
        assertTrue(answered.await(30, TimeUnit.SECONDS));
        Fixtures.waiting().during(Duration.ofMillis(100)).until(() -> t.events.stream()
                .noneMatch(e -> e.startsWith("error") || e.equals("connect")));
        // As in Node, the answer that comes after the destroy is still reported as LOOKUP (after CLOSE here).
        assertEquals(List.of("close:false"), t.events.stream().filter(e -> !e.startsWith("lookup")).toList());
        assertEquals(0, server.connections());
        closeAndWait(server);
    }
}
