package dev.loomnet.tests.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.TestServer;
import dev.loomnet.tests.Catalog;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code hints} connect option: Node's check, and what the default and a custom lookup make of it. */
class LookupHintsTest {

    private TestServer peer;

    @BeforeEach
    void listen() {
        peer = TestServer.echo();
    }

    @AfterEach
    void close() {
        peer.close();
    }

    @Test
    @Catalog(44)
    void hints_other_than_addrconfig_v4mapped_and_all_throw_err_invalid_arg_value() {
        for (int bad : new int[] {1, 4096, 3072, -1}) {
            NetException e = assertThrows(NetException.class, () -> ConnectOptions.builder().port(80).hints(bad));
            assertEquals(NetException.ERR_INVALID_ARG_VALUE, e.code());
            assertEquals("The argument 'hints' is invalid. Received " + Integer.toUnsignedString(bad), e.getMessage());
        }
        assertEquals(56, ConnectOptions.builder().port(80)
                .hints(Lookup.ADDRCONFIG | Lookup.V4MAPPED | Lookup.ALL).build().hints());
    }

    @Test
    void a_custom_lookup_receives_the_family_and_hints() {
        List<String> asked = new CopyOnWriteArrayList<>();
        Lookup lookup = new Lookup() {
            @Override
            public List<Address> lookup(String hostname, int family) {
                throw new AssertionError("the three-argument form is called");
            }

            @Override
            public List<Address> lookup(String hostname, int family, int hints) {
                asked.add(hostname + " " + family + " " + hints);
                return List.of(new Address(TestServer.HOST, 4));
            }
        };
        Socket socket = Net.connect(ConnectOptions.builder().port(peer.port()).host("peer.test").family(4)
                .hints(Lookup.ADDRCONFIG).lookup(lookup).build());
        EventLog log = EventLog.withoutData(socket);
        EventLog.waiting().until(() -> log.events.contains("ready"));
        socket.destroy();
        log.awaitClosed();
        assertEquals(List.of("peer.test 4 32"), asked);
    }

    @Test
    void v4mapped_family_6_resolves_an_ipv4_only_name_to_its_mapped_address_and_connects() throws Exception {
        assumeTrue(Arrays.stream(InetAddress.getAllByName("localhost")).noneMatch(a -> a instanceof Inet6Address),
                "localhost has an IPv6 address here: V4MAPPED answers with it");
        List<String> lookups = new CopyOnWriteArrayList<>();
        Socket socket = Net.socket();
        socket.on(Socket.LOOKUP, (error, address, family, host) -> lookups.add(address + " " + family));
        EventLog log = EventLog.withoutData(socket);
        socket.connect(ConnectOptions.builder().port(peer.port()).host("localhost").family(6)
                .hints(Lookup.V4MAPPED).build());
        EventLog.waiting().until(() -> log.events.contains("ready"));
        assertEquals(List.of("::ffff:127.0.0.1 6"), lookups);
        assertEquals("::ffff:127.0.0.1", socket.remoteAddress());              // as node v20 reports them
        assertEquals("IPv6", socket.remoteFamily());
        assertEquals("::ffff:127.0.0.1", socket.localAddress());
        socket.destroy();
        log.awaitClosed();
    }
}
