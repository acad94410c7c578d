package dev.loomnet.tests.values;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.NetException;
import dev.loomnet.net.SocketAddress;
import dev.loomnet.tests.Catalog;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code net.SocketAddress}: catalog #176-178 and Node's test-socketaddress.js, in a typed Java API. */
class SocketAddressTest {

    private static void assertCode(String code, Executable call) {
        NetException e = assertThrows(NetException.class, call);
        assertEquals(code, e.code(), e.getMessage());
    }

    private static void assertAddress(SocketAddress sa, String address, int port, String family, int flowlabel) {
        assertEquals(address, sa.address(), "address");
        assertEquals(port, sa.port(), "port");
        assertEquals(family, sa.family(), "family");
        assertEquals(flowlabel, sa.flowlabel(), "flowlabel");
    }

    // #176 defaults

    @Test
    @Catalog(176)
    void a_default_address_is_127_0_0_1_port_0_ipv4_flowlabel_0() {
        assertAddress(SocketAddress.builder().build(), "127.0.0.1", 0, "ipv4", 0);
    }

    @Test
    @Catalog(176)
    void the_default_ipv6_address_is_the_unspecified_address() {
        assertAddress(SocketAddress.builder().family("ipv6").build(), "::", 0, "ipv6", 0);
    }

    @Test
    void a_simple_ipv4_address_and_its_port_are_kept() {
        assertAddress(SocketAddress.builder().address("123.123.123.123").build(), "123.123.123.123", 0, "ipv4", 0);
        assertAddress(SocketAddress.builder().address("123.123.123.123").port(80).build(),
                "123.123.123.123", 80, "ipv4", 0);
    }

    @Test
    @Catalog(176)
    void the_ipv6_flowlabel_is_kept() {
        assertAddress(SocketAddress.builder().family("ipv6").flowlabel(1).build(), "::", 0, "ipv6", 1);
        assertAddress(SocketAddress.builder().family("ipv6").flowlabel(SocketAddress.MAX_FLOWLABEL).build(),
                "::", 0, "ipv6", 0xFFFFF);
    }

    @Test
    void an_ipv4_address_has_no_flowlabel() {
        assertEquals(0, SocketAddress.builder().flowlabel(7).build().flowlabel());
    }

    @Test
    void the_family_is_case_insensitive_and_reported_in_lower_case() {
        assertAddress(SocketAddress.builder().family("IPv6").address("::1").build(), "::1", 0, "ipv6", 0);
        assertAddress(SocketAddress.builder().family("IPV4").build(), "127.0.0.1", 0, "ipv4", 0);
    }

    @Test
    void the_boundary_ports_are_valid() {
        assertEquals(0, SocketAddress.builder().port(0).build().port());
        assertEquals(65535, SocketAddress.builder().port(65535).build().port());
    }

    // #177 validation

    @ParameterizedTest
    @ValueSource(strings = {"test", "", "ipv5", "IPv4 ", "inet6", "4", "6"})
    @Catalog(177)
    void an_unknown_family_is_ERR_INVALID_ARG_VALUE(String family) {
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> SocketAddress.builder().family(family));
    }

    @Test
    @Catalog(177)
    void null_options_are_ERR_INVALID_ARG_TYPE() {
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> SocketAddress.builder().family(null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> SocketAddress.builder().address(null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> SocketAddress.of(null, 0));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> SocketAddress.parse(null));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE})
    @Catalog(177)
    void a_bad_port_is_ERR_SOCKET_BAD_PORT(int port) {
        NetException e = assertThrows(NetException.class, () -> SocketAddress.builder().port(port));
        assertEquals(NetException.ERR_SOCKET_BAD_PORT, e.code());
        assertEquals("options.port should be >= 0 and < 65536. Received type number (" + port + ").", e.getMessage());
        assertCode(NetException.ERR_SOCKET_BAD_PORT, () -> SocketAddress.of("1.2.3.4", port));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0x100000, Integer.MIN_VALUE, Integer.MAX_VALUE})
    @Catalog(177)
    void a_flowlabel_outside_20_bits_is_ERR_OUT_OF_RANGE(int flowlabel) {
        assertCode(NetException.ERR_OUT_OF_RANGE, () -> SocketAddress.builder().flowlabel(flowlabel));
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "::", "localhost", "example.com", "1.2.3", "01.2.3.4", "1.2.3.4/32", " 1.2.3.4", ""})
    void an_address_that_is_not_ipv4_is_ERR_INVALID_ARG_VALUE_for_family_ipv4(String address) {
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> SocketAddress.builder().address(address).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4", "127.0.0.1", "::1::", "[::1]", "fe80::1%", "localhost", ""})
    void an_address_that_is_not_ipv6_is_ERR_INVALID_ARG_VALUE_for_family_ipv6(String address) {
        assertCode(NetException.ERR_INVALID_ARG_VALUE,
                () -> SocketAddress.builder().family("ipv6").address(address).build());
    }

    // addresses are canonical, as Node's getter (libuv's inet_ntop) prints them

    static List<List<String>> canonicalIpv6() {
        return List.of(
                List.of("0:0:0:0:0:0:0:0", "::"),
                List.of("0000:0000:0000:0000:0000:0000:0000:0001", "::1"),
                List.of("2001:DB8::1", "2001:db8::1"),
                List.of("2001:0db8:0000:0000:0000:0000:1428:57ab", "2001:db8::1428:57ab"),
                List.of("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
                List.of("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
                List.of("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
                List.of("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
                List.of("1:0::", "1::"),
                List.of("0:0:0:0:0:FFFF:0a00:0002", "::ffff:10.0.0.2"),
                List.of("::ffff:1.1.1.2", "::ffff:1.1.1.2"),
                List.of("::ffff:0:0", "::ffff:0.0.0.0"),
                List.of("::1.2.3.4", "::1.2.3.4"),
                List.of("::2", "::2"),
                List.of("::ffff", "::ffff"),
                List.of("fe80::1%eth0", "fe80::1"),
                List.of("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", "8592:757c:efae:4e45:fb5d:d62a:d00:8e17"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("canonicalIpv6")
    void an_ipv6_address_is_reported_in_canonical_form(List<String> inAndOut) {
        SocketAddress sa = SocketAddress.builder().family("ipv6").address(inAndOut.get(0)).build();
        assertEquals(inAndOut.get(1), sa.address());
    }

    // of()

    @Test
    void of_takes_the_family_from_the_address() {
        assertAddress(SocketAddress.of("10.0.0.1", 8080), "10.0.0.1", 8080, "ipv4", 0);
        assertAddress(SocketAddress.of("::1", 443), "::1", 443, "ipv6", 0);
        assertAddress(SocketAddress.of("::FFFF:10.0.0.1", 1), "::ffff:10.0.0.1", 1, "ipv6", 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "", "1.2.3.4.5", "[::1]", "1.2.3.4:80"})
    void of_refuses_text_that_is_not_an_ip_address(String address) {
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> SocketAddress.of(address, 0));
    }

    // equals, hashCode, toString

    @Test
    void equal_addresses_are_equal_whatever_their_spelling() {
        SocketAddress a = SocketAddress.of("::1", 80);
        SocketAddress b = SocketAddress.builder().family("IPv6").address("0:0:0:0:0:0:0:1").port(80).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(SocketAddress.parse("[::1]:80").orElseThrow(), a);
    }

    @Test
    void addresses_differing_in_any_property_are_different() {
        SocketAddress a = SocketAddress.builder().family("ipv6").address("::1").port(80).flowlabel(3).build();
        assertNotEquals(a, SocketAddress.builder().family("ipv6").address("::2").port(80).flowlabel(3).build());
        assertNotEquals(a, SocketAddress.builder().family("ipv6").address("::1").port(81).flowlabel(3).build());
        assertNotEquals(a, SocketAddress.builder().family("ipv6").address("::1").port(80).flowlabel(4).build());
        assertNotEquals(SocketAddress.of("1.2.3.4", 0), SocketAddress.of("::ffff:1.2.3.4", 0));
        assertNotEquals(a, "::1");
    }

    @Test
    void to_string_is_nodes_inspect_form() {
        assertEquals("SocketAddress { address: '127.0.0.1', port: 0, family: 'ipv4', flowlabel: 0 }",
                SocketAddress.builder().build().toString());
        assertEquals("SocketAddress { address: '::1', port: 80, family: 'ipv6', flowlabel: 5 }",
                SocketAddress.builder().family("ipv6").address("::1").port(80).flowlabel(5).build().toString());
    }

    // #178 parse

    /** Input, address, port, family. Rows marked (node) are test-socketaddress.js's; the rest follow the URL standard. */
    static List<List<Object>> goodParses() {
        return List.of(
                List.of("1.2.3.4", "1.2.3.4", 0, "ipv4"), // (node)
                List.of("192.168.257:1", "192.168.1.1", 1, "ipv4"), // (node)
                List.of("256", "0.0.1.0", 0, "ipv4"), // (node)
                List.of("999999999:12", "59.154.201.255", 12, "ipv4"), // (node)
                List.of("0xffffffff", "255.255.255.255", 0, "ipv4"), // (node)
                List.of("0x.0x.0", "0.0.0.0", 0, "ipv4"), // (node)
                List.of("[1:0::]", "1::", 0, "ipv6"), // (node)
                List.of("[1::8]:123", "1::8", 123, "ipv6"), // (node)
                List.of("127.0.0.1:80", "127.0.0.1", 80, "ipv4"), // (node)
                List.of("127.0.0.1:443", "127.0.0.1", 443, "ipv4"), // (node)
                List.of("[::1]:80", "::1", 80, "ipv6"), // (node)
                List.of("[::1]:443", "::1", 443, "ipv6"), // (node)
                List.of("user:80@1.2.3.4", "1.2.3.4", 0, "ipv4"), // (node)
                List.of("user:80@1.2.3.4:80", "1.2.3.4", 80, "ipv4"), // (node)
                List.of("user:80@1.2.3.4:123", "1.2.3.4", 123, "ipv4"), // (node)
                List.of("user:80@[::1]", "::1", 0, "ipv6"), // (node)
                List.of("user:80@[::1]:80", "::1", 80, "ipv6"), // (node)
                List.of("user:80@[::1]:123", "::1", 123, "ipv6"), // (node)
                List.of("4294967295", "255.255.255.255", 0, "ipv4"),
                List.of("127.1", "127.0.0.1", 0, "ipv4"),
                List.of("0177.0.0.1", "127.0.0.1", 0, "ipv4"),
                List.of("0x7f.1:8080", "127.0.0.1", 8080, "ipv4"),
                List.of("1.2.3.4.", "1.2.3.4", 0, "ipv4"),
                List.of("1.2.3.4:", "1.2.3.4", 0, "ipv4"),
                List.of("1.2.3.4:0080", "1.2.3.4", 80, "ipv4"),
                List.of("1.2.3.4:65535", "1.2.3.4", 65535, "ipv4"),
                List.of("1.2.3.4:8080/path?query#fragment", "1.2.3.4", 8080, "ipv4"),
                List.of("1.2.3.4/a:5", "1.2.3.4", 0, "ipv4"),
                List.of("a@b@1.2.3.4:9", "1.2.3.4", 9, "ipv4"),
                List.of("//1.2.3.4", "1.2.3.4", 0, "ipv4"),
                List.of("1.2.3.4 ", "1.2.3.4", 0, "ipv4"),
                List.of("1.2.\t3.4", "1.2.3.4", 0, "ipv4"),
                List.of("%31.2.3.4", "1.2.3.4", 0, "ipv4"),
                List.of("\uff10\uff38\uff43\uff10\uff0e\uff10\uff12\uff15\uff10\uff0e\uff10\uff11", "192.168.0.1", 0, "ipv4"),
                List.of("[::FFFF:1.2.3.4]:1", "::ffff:1.2.3.4", 1, "ipv6"),
                List.of("[0:0:0:0:0:0:0:1]", "::1", 0, "ipv6"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodParses")
    @Catalog(178)
    void parse_reads_a_url_host_and_port(List<Object> row) {
        Optional<SocketAddress> sa = SocketAddress.parse((String) row.get(0));
        assertTrue(sa.isPresent(), "parsed");
        assertAddress(sa.get(), (String) row.get(1), (Integer) row.get(2), (String) row.get(3), 0);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
        "not an ip", "abc.123", "259.1.1.1", "12:12:12", // (node)
        "example.com", "localhost", "", " ", "::1", "[::1", "::1]", "[::1]x", "[fe80::1%25eth0]", "[fe80::1%eth0]",
        "1.2.3.4:65536", "1.2.3.4:x", "1.2.3.4:-1", "1.2.3.4:8a", "4294967296", "0x100000000", "1.2.3.4.5",
        "1.2.3.256", "1.2.3.08", "09.2.3.4", "1.2.3.4 hello", "user@", "user@:80", ":80", "[]", "[1.2.3.4]"})
    void parse_gives_empty_for_text_that_is_not_an_ip_host_and_port(String input) {
        assertEquals(Optional.empty(), SocketAddress.parse(input));
    }
}
