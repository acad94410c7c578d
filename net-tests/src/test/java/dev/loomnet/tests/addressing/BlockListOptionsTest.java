package dev.loomnet.tests.addressing;

import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.V4_2;
import static dev.loomnet.tests.server.Fixtures.closeAndWait;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.BlockList;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import dev.loomnet.tests.server.Fixtures;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The {@code blockList} server and client options (Node 22.13; catalog #77, #78). */
class BlockListOptionsTest {

    @Test
    @Catalog(78)
    void a_server_block_list_closes_a_blocked_client_before_connection_and_serves_another() {        // #78
        BlockList blocked = new BlockList();
        blocked.addAddress(V4);
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(ServerOptions.builder().blockList(blocked).build(),
                Fixtures.collect(accepted)).listen(0, V4);
        int port = server.address().port();

        Socket refused = Net.socket();
        Fixtures.Trace rt = Fixtures.Trace.of(refused);
        refused.connect(port, V4);
        rt.awaitClosed();
        assertTrue(rt.events.stream().noneMatch(e -> e.startsWith("error") && !e.equals("error:ECONNRESET")),
                "the blocked client just sees its connection closed: " + rt);
        assertEquals(0, accepted.size(), "no CONNECTION for a blocked address");

        Socket served = Net.socket();
        Fixtures.Trace st = Fixtures.Trace.of(served);
        served.connect(ConnectOptions.builder().host(V4).port(port).localAddress(V4_2).build());
        st.await("connect");
        waiting().until(() -> accepted.size() == 1);
        assertEquals(V4_2, accepted.get(0).remoteAddress());
        assertEquals(1, server.connections());
        served.destroy();
        st.awaitClosed();
        closeAndWait(server);
    }

    @Test
    @Catalog(77)
    void a_client_block_list_refuses_to_connect_to_a_blocked_ip_literal() {                         // #77
        BlockList blocked = new BlockList();
        blocked.addAddress(V4);
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4);
        Socket c = Net.socket(dev.loomnet.net.SocketOptions.builder().blockList(blocked).build());
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(server.address().port(), V4);
        t.awaitClosed();
        assertEquals(List.of("error:ERR_IP_BLOCKED", "close:true"), t.events);
        assertEquals("IP(127.0.0.1) is blocked by net.BlockList", t.errors.get(0).getMessage());
        assertEquals(0, server.connections());
        assertTrue(accepted.isEmpty());
        closeAndWait(server);
    }

    @Test
    @Catalog(77)
    void a_client_block_list_applies_to_looked_up_addresses_with_auto_select_family() {              // #77
        BlockList blocked = new BlockList();
        blocked.addSubnet("127.0.0.0", 30);                          // 127.0.0.0 - 127.0.0.3
        Server server = Net.createServer().listen(0, V4);
        ConnectOptions options = ConnectOptions.builder().host("svc.test").port(server.address().port())
                .lookup((host, family) -> List.of(new Lookup.Address(V4_2, 4), new Lookup.Address(V4, 4)))
                .autoSelectFamily(true).blockList(blocked).build();
        Socket c = Net.socket(options.socketOptions());
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(options);
        t.awaitClosed();
        assertTrue(t.has("error:ERR_IP_BLOCKED"), t.toString());
        assertFalse(t.has("connect"), t.toString());
        assertEquals("IP(127.0.0.2) is blocked by net.BlockList", t.errors.get(0).getMessage());
        closeAndWait(server);
    }
}
