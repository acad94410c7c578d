package dev.loomnet.tests.addressing;

import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.V6;
import static dev.loomnet.tests.server.Fixtures.closeAndWait;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import dev.loomnet.tests.server.Fixtures;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code address()}, {@code localAddress}/{@code remoteAddress} and their families in Node's shapes and IPv6
 * text (catalog #34, #62, #64, #65, #154, #155, #156).
 */
class AddressShapesTest {

    /** One client connected to {@code server} at {@code host}, and the server's side of it. */
    private record Pair(Socket client, Socket accepted, Fixtures.Trace trace) {
        void close() {
            client.destroy();
            trace.awaitClosed();
        }
    }

    private static Pair connect(Server server, List<Socket> accepted, String host) {
        int before = accepted.size();
        Socket client = Net.socket();
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        client.connect(server.address().port(), host);
        trace.await("connect");
        waiting().until(() -> accepted.size() == before + 1);
        return new Pair(client, accepted.get(before), trace);
    }

    @Test
    @Catalog({34, 64, 65, 154})
    void an_ipv4_server_reports_address_family_and_port_and_its_sockets_agree() {              // #34, #64, #65
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4);
        AddressInfo address = server.address();
        assertEquals(V4, address.address());
        assertEquals(AddressInfo.IPV4, address.family());
        assertTrue(address.port() > 0);
        Pair p = connect(server, accepted, V4);
        assertEquals(V4, p.accepted().localAddress());
        assertEquals(address.port(), p.accepted().localPort());
        assertEquals(AddressInfo.IPV4, p.accepted().localFamily());
        assertEquals(p.client().localPort(), p.accepted().remotePort());
        assertEquals(V4, p.client().remoteAddress());
        assertEquals(AddressInfo.IPV4, p.client().remoteFamily());
        assertEquals(address.port(), p.client().remotePort());
        assertEquals(new AddressInfo(V4, AddressInfo.IPV4, p.client().localPort()), p.client().address());
        p.close();
        closeAndWait(server);
    }

    @Test
    @Catalog(157)
    void an_ipv6_loopback_server_prints_colon_colon_1_everywhere() {                             // #62
        assumeTrue(Fixtures.ipv6Loopback(), "::1 cannot be bound here");
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V6);
        assertEquals(V6, server.address().address());
        assertEquals(AddressInfo.IPV6, server.address().family());
        Pair p = connect(server, accepted, V6);
        assertEquals(V6, p.client().remoteAddress());
        assertEquals(AddressInfo.IPV6, p.client().remoteFamily());
        assertEquals(V6, p.client().localAddress());
        assertEquals(AddressInfo.IPV6, p.client().localFamily());
        assertEquals(V6, p.accepted().remoteAddress());
        assertEquals(V6, p.accepted().localAddress());
        assertEquals(AddressInfo.IPV6, p.accepted().localFamily());
        assertEquals(new AddressInfo(V6, AddressInfo.IPV6, server.address().port()), p.accepted().address());
        p.close();
        closeAndWait(server);
    }

    @Test
    @Catalog(155)
    void listen_with_no_host_binds_the_dual_stack_unspecified_address() {                         // #155
        Server server = Net.createServer().listen(0);
        assertEquals("::", server.address().address());
        assertEquals(AddressInfo.IPV6, server.address().family());
        closeAndWait(server);
    }

    @Test
    @Catalog(62)
    void a_dual_stack_server_shows_an_ipv4_client_as_an_ipv4_mapped_ipv6_address() {            // #62
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0);
        Pair p = connect(server, accepted, V4);
        assertEquals("::ffff:127.0.0.1", p.accepted().remoteAddress());
        assertEquals(AddressInfo.IPV6, p.accepted().remoteFamily());
        assertEquals("::ffff:127.0.0.1", p.accepted().localAddress());
        assertEquals(AddressInfo.IPV6, p.accepted().localFamily());
        assertEquals(p.client().localPort(), p.accepted().remotePort());
        // the client's own socket is an IPv4 one
        assertEquals(V4, p.client().remoteAddress());
        assertEquals(AddressInfo.IPV4, p.client().remoteFamily());
        p.close();
        closeAndWait(server);
    }

    @Test
    void a_dual_stack_server_accepts_an_ipv6_loopback_client_too() {
        assumeTrue(Fixtures.ipv6Loopback(), "::1 cannot be bound here");
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0);
        Pair p = connect(server, accepted, V6);
        assertEquals(V6, p.accepted().remoteAddress());
        assertEquals(AddressInfo.IPV6, p.accepted().remoteFamily());
        p.close();
        closeAndWait(server);
    }

    @Test
    @Catalog({2, 154})
    void server_address_is_null_before_listen_and_after_close() {                               // #154
        Server server = Net.createServer();
        assertNull(server.address());
        server.listen(0, V4);
        assertTrue(server.address().port() > 0, "valid as soon as listen returns (#2)");
        closeAndWait(server);
        assertNull(server.address());
    }

    @Test
    @Catalog({62, 156})
    void remote_fields_stay_readable_in_close_and_address_is_null_once_closed() {              // #62, #156
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4);
        Socket client = Net.socket();
        assertNull(client.address(), "no handle yet: Node's {}");
        assertNull(client.remoteAddress());
        List<String> inClose = new CopyOnWriteArrayList<>();
        client.on(Socket.CLOSE, hadError -> inClose.add(client.remoteAddress() + " " + client.remoteFamily() + " "
                + client.remotePort()));
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        client.connect(server.address().port(), V4);
        trace.await("connect");
        client.destroy();
        trace.awaitClosed();
        assertEquals(List.of(V4 + " IPv4 " + server.address().port()), inClose);
        assertNull(client.address());
        closeAndWait(server);
    }
}
