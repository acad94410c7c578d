package dev.loomnet.tests.server;

import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.closeAndWait;
import static dev.loomnet.tests.server.Fixtures.destroyAll;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.DropInfo;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code maxConnections} and {@code DROP} (catalog #36-#39). */
class MaxConnectionsTest {

    private static int reportedCount(Server server) {
        AtomicReference<Integer> reported = new AtomicReference<>();
        server.getConnections((error, count) -> reported.set(count));
        waiting().until(() -> reported.get() != null);
        return reported.get();
    }

    @Test
    @Catalog({36, 38})
    void with_a_limit_of_3_and_10_clients_exactly_3_stay_open_and_7_drops_fire_with_addresses() {    // #36, #38
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        List<DropInfo> drops = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).maxConnections(3);
        server.on(Server.DROP, drops::add).listen(0, V4);
        int port = server.address().port();
        List<Socket> clients = new ArrayList<>();
        List<Fixtures.Trace> traces = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Socket c = Net.socket();
            traces.add(Fixtures.Trace.of(c));
            clients.add(c);
            c.connect(port, V4);
            int handled = i + 1;
            waiting().until(() -> accepted.size() + drops.size() == handled);
            int open = Math.min(handled, 3);
            assertEquals(open, server.connections(), "after client " + i);
            assertEquals(server.connections(), reportedCount(server), "getConnections agrees after client " + i);
        }
        assertEquals(3, accepted.size());
        assertEquals(7, drops.size());
        for (int i = 3; i < 10; i++) {
            Fixtures.Trace t = traces.get(i).awaitClosed();
            assertTrue(t.has("connect"), "a dropped client is accepted at the TCP level first: " + t);
        }
        for (int i = 0; i < 3; i++) {
            assertFalse(traces.get(i).closed(), "served client " + i + " stays open: " + traces.get(i));
        }
        for (int i = 0; i < 7; i++) {
            DropInfo d = drops.get(i);
            Socket client = clients.get(3 + i);
            assertEquals(V4, d.localAddress());
            assertEquals(port, d.localPort());
            assertEquals(AddressInfo.IPV4, d.localFamily());
            assertEquals(V4, d.remoteAddress());
            assertEquals(AddressInfo.IPV4, d.remoteFamily());
            assertTrue(d.remotePort() > 0);
        }
        List<Integer> droppedPorts = drops.stream().map(DropInfo::remotePort).toList();
        List<Integer> clientPorts = clients.subList(3, 10).stream().map(Socket::localPort).toList();
        assertEquals(clientPorts, droppedPorts, "each DROP names the dropped client's port, in order");
        assertEquals(3, server.connections());
        assertEquals(3, reportedCount(server));
        destroyAll(clients);
        waiting().until(() -> server.connections() == 0);
        assertEquals(0, reportedCount(server));
        closeAndWait(server);
    }

    @Test
    @Catalog(37)
    void when_a_served_connection_closes_its_slot_is_free_again() {                                   // #37
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        List<DropInfo> drops = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).maxConnections(1);
        server.on(Server.DROP, drops::add).listen(0, V4);
        int port = server.address().port();
        List<Socket> clients = new ArrayList<>();
        List<String> outcome = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket c = Net.socket();
            Fixtures.Trace.of(c);
            clients.add(c.connect(port, V4));
            int handled = i + 1;
            waiting().until(() -> accepted.size() + drops.size() == handled);
            outcome.add(accepted.size() + "/" + drops.size());
            if (i == 1) {
                accepted.get(0).destroy();                   // frees the one slot
                waiting().until(() -> server.connections() == 0);
            }
        }
        // connections 0 and 2 are served, 1 and 3 dropped
        assertEquals(List.of("1/0", "1/1", "2/1", "2/2"), outcome);
        destroyAll(clients);
        waiting().until(() -> server.connections() == 0);
        closeAndWait(server);
    }

    @Test
    @Catalog(39)
    void max_connections_0_drops_every_connection() {                                               // #39
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        List<DropInfo> drops = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).maxConnections(0);
        server.on(Server.DROP, drops::add).listen(0, V4);
        List<Fixtures.Trace> traces = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket c = Net.socket();
            traces.add(Fixtures.Trace.of(c));
            c.connect(server.address().port(), V4);
        }
        traces.forEach(Fixtures.Trace::awaitClosed);
        waiting().until(() -> drops.size() == 3);
        assertEquals(0, accepted.size());
        assertEquals(0, server.connections());
        closeAndWait(server);
    }

    @Test
    void max_connections_is_unlimited_by_default_and_rejects_a_negative_value() {
        Server server = Net.createServer();
        assertEquals(Integer.MAX_VALUE, server.maxConnections());
        NetException e = assertThrows(NetException.class, () -> server.maxConnections(-1));
        assertEquals(NetException.ERR_OUT_OF_RANGE, e.code());
        assertEquals(5, server.maxConnections(5).maxConnections());
    }

    @Test
    @Catalog(38)
    void a_drop_on_a_dual_stack_server_reports_the_ipv4_client_in_its_mapped_ipv6_form() {
        List<DropInfo> drops = new CopyOnWriteArrayList<>();
        Server server = Net.createServer().maxConnections(0);
        server.on(Server.DROP, drops::add).listen(0);
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(server.address().port(), V4);
        t.awaitClosed();
        waiting().until(() -> drops.size() == 1);
        DropInfo d = drops.get(0);
        assertEquals("::ffff:127.0.0.1", d.localAddress());
        assertEquals(AddressInfo.IPV6, d.localFamily());
        assertEquals("::ffff:127.0.0.1", d.remoteAddress());
        assertEquals(AddressInfo.IPV6, d.remoteFamily());
        assertEquals(c.localPort(), d.remotePort());
        closeAndWait(server);
    }

    @Test
    void a_drop_on_a_unix_socket_server_has_no_payload(@TempDir Path dir) {
        List<DropInfo> drops = new CopyOnWriteArrayList<>();
        List<String> fired = new CopyOnWriteArrayList<>();
        Server server = Net.createServer().maxConnections(0);
        server.on(Server.DROP, info -> {
            drops.add(info);
            fired.add("drop");
        }).listen(dir.resolve("s.sock"));
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(dir.resolve("s.sock"));
        t.awaitClosed();
        waiting().until(() -> fired.size() == 1);
        assertEquals(1, drops.size());
        assertNull(drops.get(0), "Node passes no argument for pipes");
        closeAndWait(server);
    }
}
