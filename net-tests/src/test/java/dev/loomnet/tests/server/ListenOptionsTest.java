package dev.loomnet.tests.server;

import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.V6;
import static dev.loomnet.tests.server.Fixtures.closeAndWait;
import static dev.loomnet.tests.server.Fixtures.destroyAll;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listen options: {@code backlog}, {@code ipv6Only}, {@code reusePort}, {@code exclusive} (catalog #22, #27, #180). */
class ListenOptionsTest {

    @Test
    void a_server_with_backlog_1_serves_clients_that_connect_one_after_the_other() {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted))
                .listen(ListenOptions.builder().port(0).host(V4).backlog(1).build());
        List<Socket> clients = new ArrayList<>();
        // One at a time: a burst beyond the backlog would have SYNs dropped and retried after a second or more.
        for (int i = 0; i < 5; i++) {
            Socket c = Net.socket();
            Fixtures.Trace.of(c);
            clients.add(c.connect(server.address().port(), V4));
            int served = i + 1;
            waiting().until(() -> accepted.size() == served);
        }
        destroyAll(clients);
        waiting().until(() -> server.connections() == 0);
        closeAndWait(server);
    }

    @Test
    void listen_port_host_backlog_callback_binds_the_host_and_runs_the_callback() {
        List<String> events = new CopyOnWriteArrayList<>();
        Server server = Net.createServer().listen(0, V4, 16, () -> events.add("listening"));
        waiting().until(() -> events.contains("listening"));
        assertEquals(V4, server.address().address());
        closeAndWait(server);
    }

    @Test
    @Catalog(27)
    void ipv6_only_serves_an_ipv6_client() {                                                        // #27
        assumeTrue(Fixtures.ipv6Loopback(), "::1 cannot be bound here");
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted))
                .listen(ListenOptions.builder().port(0).host("::").ipv6Only(true).build());
        assertEquals("::", server.address().address());
        assertEquals(AddressInfo.IPV6, server.address().family());
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(server.address().port(), V6);
        t.await("connect");
        waiting().until(() -> accepted.size() == 1);
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
    }

    @Test
    @Catalog(27)
    void ipv6_only_does_not_serve_an_ipv4_client_which_sees_its_connection_closed() {              // #27
        assumeTrue(Fixtures.ipv6Loopback(), "::1 cannot be bound here");
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted))
                .listen(ListenOptions.builder().port(0).host("::").ipv6Only(true).build());
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(server.address().port(), V4);
        t.awaitClosed();
        // Node refuses the connect (ECONNREFUSED, IPV6_V6ONLY is set on the socket). The JDK cannot set
        // IPV6_V6ONLY, so loomnet accepts and resets at once: the client may see its connect succeed first, then
        // ECONNRESET or a plain end. Either way no CONNECTION and no data.
        assertTrue(t.has("close:true") || t.has("close:false"), t.toString());
        assertTrue(t.errors.stream().allMatch(e -> Fixtures.code(e).equals("ECONNRESET")
                || Fixtures.code(e).equals("ECONNREFUSED")), t.toString());
        assertEquals(0, accepted.size());
        assertEquals(0, server.connections());
        closeAndWait(server);
    }

    @Test
    void two_servers_in_one_jvm_with_reuse_port_both_listen_on_one_port_and_both_serve() {
        List<Socket> acceptedA = new CopyOnWriteArrayList<>();
        List<Socket> acceptedB = new CopyOnWriteArrayList<>();
        List<String> errors = new CopyOnWriteArrayList<>();
        Server a = Net.createServer(Fixtures.collect(acceptedA));
        a.on(Server.ERROR, e -> errors.add("a " + e));
        a.listen(ListenOptions.builder().port(0).host(V4).reusePort(true).build());
        int port = a.address().port();
        Server b = Net.createServer(Fixtures.collect(acceptedB));
        b.on(Server.ERROR, e -> errors.add("b " + e));
        b.listen(ListenOptions.builder().port(port).host(V4).reusePort(true).build());
        waiting().until(() -> a.listening() && b.listening());
        assertEquals(port, b.address().port());
        // The kernel spreads connections by a hash of the client's address and port; connect until both
        // have served one (bounded: the chance that 64 clients all land on one server is 2^-63).
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 64 && (acceptedA.isEmpty() || acceptedB.isEmpty()); i++) {
            Socket c = Net.socket();
            Fixtures.Trace.of(c);
            clients.add(c.connect(port, V4));
            int handled = i + 1;
            waiting().until(() -> acceptedA.size() + acceptedB.size() == handled);
        }
        assertFalse(acceptedA.isEmpty(), "server a served none of " + clients.size());
        assertFalse(acceptedB.isEmpty(), "server b served none of " + clients.size());
        assertTrue(errors.isEmpty(), errors.toString());
        destroyAll(clients);
        waiting().until(() -> a.connections() + b.connections() == 0);
        closeAndWait(a);
        closeAndWait(b);
    }

    @Test
    @Catalog(180)
    void exclusive_changes_nothing_in_a_jvm_without_cluster() {                                       // #180
        Server server = Net.createServer()
                .listen(ListenOptions.builder().port(0).host(V4).exclusive(true).build());
        waiting().until(server::listening);
        assertTrue(server.address().port() > 0);
        closeAndWait(server);
    }

    @Test
    @Catalog(22)
    void a_port_wins_over_a_path_given_with_it(@TempDir Path dir) {                          // #22
        Path path = dir.resolve("unused.sock");
        Server server = Net.createServer(s -> s.on(Socket.DATA, s::write))
                .listen(ListenOptions.builder().port(0).host(V4).path(path).build());
        AddressInfo address = server.address();
        assertEquals(V4, address.address());
        assertTrue(address.port() > 0);
        assertFalse(Files.exists(path));
        Socket client = Net.socket();
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        client.connect(address.port(), V4, () -> client.end("x"));
        waiting().until(trace::closed);
        closeAndWait(server);
    }
}
