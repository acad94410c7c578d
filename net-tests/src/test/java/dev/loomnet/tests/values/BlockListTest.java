package dev.loomnet.tests.values;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.BlockList;
import dev.loomnet.net.NetException;
import dev.loomnet.net.SocketAddress;
import dev.loomnet.tests.Catalog;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code net.BlockList}: catalog #170-175 and Node's test-blocklist.js in a typed Java API. Node's type errors for
 * non-string arguments (1, [], {}, 1n) cannot be written in Java; their null forms are tested instead, and
 * {@code addSubnet('1.1.1.1', NaN)} / {@code ''} cannot be written with an {@code int} prefix.
 */
class BlockListTest {

    private static void assertCode(String code, Executable call) {
        NetException e = assertThrows(NetException.class, call);
        assertEquals(code, e.code(), e.getMessage());
    }

    private static SocketAddress v4(String address) {
        return SocketAddress.builder().address(address).build();
    }

    private static SocketAddress v6(String address) {
        return SocketAddress.builder().family("ipv6").address(address).build();
    }

    // #170 argument validation

    @Test
    @Catalog(170)
    void a_null_address_is_ERR_INVALID_ARG_TYPE() {
        BlockList b = new BlockList();
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addAddress((String) null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addAddress((String) null, "ipv4"));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addAddress((SocketAddress) null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addRange(null, "1.1.1.2"));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addRange("1.1.1.1", null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addRange(null, "1.1.1.2", "ipv4"));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addRange((SocketAddress) null, v4("1.1.1.2")));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addRange(v4("1.1.1.1"), (SocketAddress) null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addSubnet((String) null, 8));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addSubnet((String) null, 8, "ipv4"));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addSubnet((SocketAddress) null, 8));
        assertEquals(List.of(), b.rules());
    }

    @Test
    @Catalog(170)
    void a_null_type_is_ERR_INVALID_ARG_TYPE() {
        BlockList b = new BlockList();
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addAddress("1.1.1.1", null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addRange("1.1.1.1", "1.1.1.2", null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.addSubnet("1.1.1.1", 8, null));
        assertEquals(List.of(), b.rules());
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", "", "ipv5", "IPv4 ", "4"})
    @Catalog(170)
    void an_unknown_type_is_ERR_INVALID_ARG_VALUE(String type) {
        BlockList b = new BlockList();
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addAddress("1.1.1.1", type));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addRange("1.1.1.1", "1.1.1.2", type));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addSubnet("1.1.1.1", 8, type));
        assertEquals(List.of(), b.rules());
    }

    @Test
    void an_address_that_is_not_of_the_type_is_ERR_INVALID_ARG_VALUE() {
        BlockList b = new BlockList();
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addAddress("::1"));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addAddress("1.1.1.1", "ipv6"));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addAddress("not an ip"));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addAddress("1.1.1.01"));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addAddress(""));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addRange("1.1.1.1", "::2"));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addRange("::1", "::2"));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addSubnet("10.0.0.0/8", 8));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addSubnet("::", 8));
        assertEquals(List.of(), b.rules());
    }

    // #171 addresses, IPv4-mapped IPv6 both ways

    @Test
    @Catalog(171)
    void an_address_rule_matches_the_address_and_its_ipv4_mapped_form() {
        BlockList b = new BlockList();
        b.addAddress("1.1.1.1");
        b.addAddress("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", "ipv6");
        b.addAddress("::ffff:1.1.1.2", "ipv6");

        assertTrue(b.check("1.1.1.1"));
        assertFalse(b.check("1.1.1.1", "ipv6"));
        assertFalse(b.check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17"));
        assertTrue(b.check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", "ipv6"));

        assertTrue(b.check("::ffff:1.1.1.1", "ipv6"));
        assertTrue(b.check("::ffff:1.1.1.1", "IPV6"));
        assertTrue(b.check("::ffff:0101:0101", "ipv6"));
        assertTrue(b.check("0:0:0:0:0:FFFF:101:101", "ipv6"));

        assertTrue(b.check("1.1.1.2"));

        assertFalse(b.check("1.2.3.4"));
        assertFalse(b.check("::1", "ipv6"));
        assertFalse(b.check("::1.1.1.1", "ipv6"), "IPv4-compatible is not IPv4-mapped");
    }

    @Test
    @Catalog(175)
    void socket_addresses_work_as_rules_and_as_checked_addresses_and_their_ports_are_ignored() {
        BlockList b = new BlockList();
        SocketAddress sa1 = v4("1.1.1.1");
        SocketAddress sa2 = v6("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17");
        SocketAddress sa3 = v4("1.1.1.2");
        b.addAddress(sa1);
        b.addAddress(sa2);
        b.addAddress("::ffff:1.1.1.2", "ipv6");

        assertTrue(b.check("1.1.1.1"));
        assertTrue(b.check(sa1));
        assertFalse(b.check("1.1.1.1", "ipv6"));
        assertFalse(b.check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17"));
        assertTrue(b.check("8592:757c:efae:4e45:fb5d:d62a:0d00:8e17", "ipv6"));
        assertTrue(b.check(sa2));
        assertTrue(b.check("::ffff:1.1.1.1", "ipv6"));
        assertTrue(b.check("1.1.1.2"));
        assertTrue(b.check(sa3));
        assertTrue(b.check(SocketAddress.of("1.1.1.1", 443)));
        assertTrue(b.check(SocketAddress.of("::ffff:1.1.1.1", 80)));
        assertFalse(b.check("1.2.3.4"));
        assertFalse(b.check(v6("::1")));
    }

    // #172 ranges

    @Test
    @Catalog(172)
    void ranges_include_both_ends() {
        BlockList b = new BlockList();
        b.addRange("1.1.1.1", "1.1.1.10");
        b.addRange("::1", "::f", "ipv6");

        assertFalse(b.check("1.1.1.0"));
        for (int n = 1; n <= 10; n++) {
            assertTrue(b.check("1.1.1." + n), "1.1.1." + n);
        }
        assertFalse(b.check("1.1.1.11"));

        assertFalse(b.check("::0", "ipv6"));
        for (int n = 0x1; n <= 0xf; n++) {
            assertTrue(b.check("::" + Integer.toHexString(n), "ipv6"), "::" + Integer.toHexString(n));
        }
        assertFalse(b.check("::10", "ipv6"));
    }

    @Test
    void ranges_of_socket_addresses_include_both_ends() {
        BlockList b = new BlockList();
        b.addRange(v4("1.1.1.1"), v4("1.1.1.10"));
        b.addRange(v6("::1"), v6("::f"));

        assertFalse(b.check("1.1.1.0"));
        for (int n = 1; n <= 10; n++) {
            assertTrue(b.check("1.1.1." + n), "1.1.1." + n);
        }
        assertFalse(b.check("1.1.1.11"));
        assertFalse(b.check("::0", "ipv6"));
        for (int n = 0x1; n <= 0xf; n++) {
            assertTrue(b.check("::" + Integer.toHexString(n), "ipv6"));
        }
        assertFalse(b.check("::10", "ipv6"));
    }

    @Test
    void a_range_of_one_address_is_allowed() {
        BlockList b = new BlockList();
        b.addRange("10.0.0.5", "10.0.0.5");
        assertTrue(b.check("10.0.0.5"));
        assertFalse(b.check("10.0.0.4"));
        assertFalse(b.check("10.0.0.6"));
    }

    @Test
    @Catalog(172)
    void a_range_whose_start_is_after_its_end_is_ERR_INVALID_ARG_VALUE() {
        BlockList b = new BlockList();
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addRange("1.1.1.2", "1.1.1.1"));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addRange("::2", "::1", "ipv6"));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addRange(v4("2.0.0.0"), v4("1.255.255.255")));
        assertCode(NetException.ERR_INVALID_ARG_VALUE, () -> b.addRange(v6("::ffff:1.1.1.2"), v4("1.1.1.1")));
        assertEquals(List.of(), b.rules());
    }

    @Test
    void addresses_compare_as_unsigned_numbers() {
        BlockList b = new BlockList();
        b.addRange("127.255.255.255", "128.0.0.1");
        b.addRange("7fff::", "8000::1", "ipv6");
        assertTrue(b.check("128.0.0.0"));
        assertFalse(b.check("255.255.255.255"));
        assertFalse(b.check("0.0.0.0"));
        assertTrue(b.check("8000::", "ipv6"));
        assertFalse(b.check("ffff::", "ipv6"));
    }

    @Test
    @Catalog(172)
    void an_ipv4_range_matches_the_ipv4_mapped_hex_forms() {
        // Regression test for https://github.com/nodejs/node/issues/39074
        BlockList b = new BlockList();
        b.addRange("10.0.0.2", "10.0.0.10");

        assertTrue(b.check("10.0.0.2"));
        assertTrue(b.check("10.0.0.10"));
        assertFalse(b.check("192.168.0.3"));
        assertFalse(b.check("2.2.2.2"));
        assertFalse(b.check("255.255.255.255"));

        assertTrue(b.check("::ffff:0a00:0002", "ipv6"));
        assertTrue(b.check("::ffff:0a00:000a", "ipv6"));
        assertFalse(b.check("::ffff:c0a8:0003", "ipv6"));
        assertFalse(b.check("::ffff:0202:0202", "ipv6"));
        assertFalse(b.check("::ffff:ffff:ffff", "ipv6"));
    }

    @Test
    void an_ipv6_range_matches_ipv4_addresses_only_when_its_ends_are_ipv4_mapped() {
        BlockList b = new BlockList();
        b.addRange("::ffff:10.0.0.1", "::ffff:10.0.0.9", "ipv6");
        b.addRange("::", "::fffe:0:0", "ipv6");
        assertTrue(b.check("10.0.0.5"));
        assertFalse(b.check("10.0.0.10"));
        // Node compares an IPv4 address with an IPv6 one only if the IPv6 one is IPv4-mapped:
        b.addRange("::1", "::ffff:255.255.255.255", "ipv6");
        assertFalse(b.check("20.0.0.1"));
        assertTrue(b.check("::ffff:20.0.0.1", "ipv6"));
    }

    // #173 subnets

    @Test
    @Catalog(173)
    void subnets_match_the_addresses_under_their_prefix() {
        BlockList b = new BlockList();
        b.addSubnet("1.1.1.0", 16);
        b.addSubnet("8592:757c:efae:4e45::", 64, "ipv6");

        assertTrue(b.check("1.1.0.1"));
        assertTrue(b.check("1.1.1.1"));
        assertFalse(b.check("1.2.0.1"));
        assertTrue(b.check("::ffff:1.1.0.1", "ipv6"));

        assertTrue(b.check("8592:757c:efae:4e45:f::", "ipv6"));
        assertTrue(b.check("8592:757c:efae:4e45::f", "ipv6"));
        assertFalse(b.check("8592:757c:efae:4f45::f", "ipv6"));
    }

    @Test
    void a_socket_address_subnet_matches_like_a_text_one() {
        BlockList b = new BlockList();
        b.addSubnet(v4("1.1.1.0"), 16);
        b.addSubnet(v6("8592:757c:efae:4e45::"), 64);

        assertTrue(b.check("1.1.0.1"));
        assertTrue(b.check(v4("1.1.1.1")));
        assertFalse(b.check("1.2.0.1"));
        assertTrue(b.check("::ffff:1.1.0.1", "ipv6"));
        assertTrue(b.check("8592:757c:efae:4e45:f::", "ipv6"));
        assertFalse(b.check("8592:757c:efae:4f45::f", "ipv6"));
    }

    @Test
    @Catalog(173)
    void subnet_boundaries_are_exact_for_prefixes_that_are_not_byte_aligned() {
        BlockList b = new BlockList();
        b.addSubnet("10.0.0.0", 27);
        b.addSubnet("8592:757c:efaf::", 51, "ipv6");

        for (int n = 0; n <= 31; n++) {
            assertTrue(b.check("10.0.0." + n), "10.0.0." + n);
        }
        assertFalse(b.check("10.0.0.32"));
        assertFalse(b.check("9.255.255.255"));

        assertTrue(b.check("8592:757c:efaf:0:0:0:0:0", "ipv6"));
        assertTrue(b.check("8592:757c:efaf:1fff:ffff:ffff:ffff:ffff", "ipv6"));
        assertFalse(b.check("8592:757c:efaf:2fff:ffff:ffff:ffff:ffff", "ipv6"));
        assertFalse(b.check("8592:757c:efae:ffff:ffff:ffff:ffff:ffff", "ipv6"));
    }

    @Test
    @Catalog(173)
    void a_full_length_prefix_matches_only_that_address() {
        BlockList b = new BlockList();
        b.addSubnet("10.1.2.3", 32);
        b.addSubnet("2001:db8::7", 128, "ipv6");
        assertTrue(b.check("10.1.2.3"));
        assertTrue(b.check("::ffff:10.1.2.3", "ipv6"));
        assertFalse(b.check("10.1.2.2"));
        assertFalse(b.check("10.1.2.4"));
        assertTrue(b.check("2001:db8::7", "ipv6"));
        assertFalse(b.check("2001:db8::6", "ipv6"));
        assertFalse(b.check("2001:db8::8", "ipv6"));
    }

    @Test
    void a_zero_prefix_matches_its_whole_family() {
        BlockList v4all = new BlockList();
        v4all.addSubnet("1.2.3.4", 0);
        assertTrue(v4all.check("0.0.0.0"));
        assertTrue(v4all.check("255.255.255.255"));
        assertTrue(v4all.check("::ffff:8.8.8.8", "ipv6"));
        assertFalse(v4all.check("::1", "ipv6"), "an IPv4 subnet matches only IPv4-mapped IPv6 addresses");

        BlockList v6all = new BlockList();
        v6all.addSubnet("ffff::", 0, "ipv6");
        assertTrue(v6all.check("::1", "ipv6"));
        assertTrue(v6all.check("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ipv6"));
        assertTrue(v6all.check("8.8.8.8"), "IPv4 addresses are matched as ::ffff:a.b.c.d");
    }

    @Test
    void an_ipv6_subnet_covering_the_mapped_block_matches_ipv4_addresses() {
        BlockList b = new BlockList();
        b.addSubnet("::ffff:192.168.0.0", 112, "ipv6");
        assertTrue(b.check("192.168.4.5"));
        assertFalse(b.check("192.169.0.0"));
    }

    @Test
    @Catalog(173)
    void a_prefix_out_of_range_is_ERR_OUT_OF_RANGE() {
        BlockList b = new BlockList();
        assertCode(NetException.ERR_OUT_OF_RANGE, () -> b.addSubnet("1.1.1.1", -1));
        assertCode(NetException.ERR_OUT_OF_RANGE, () -> b.addSubnet("1.1.1.1", 33));
        assertCode(NetException.ERR_OUT_OF_RANGE, () -> b.addSubnet("1.1.1.1", -1, "ipv4"));
        assertCode(NetException.ERR_OUT_OF_RANGE, () -> b.addSubnet("1.1.1.1", 33, "ipv4"));
        assertCode(NetException.ERR_OUT_OF_RANGE, () -> b.addSubnet("::", -1, "ipv6"));
        assertCode(NetException.ERR_OUT_OF_RANGE, () -> b.addSubnet("::", 129, "ipv6"));
        assertCode(NetException.ERR_OUT_OF_RANGE, () -> b.addSubnet(v4("1.1.1.1"), 33));
        assertCode(NetException.ERR_OUT_OF_RANGE, () -> b.addSubnet(v6("::"), 129));
        assertCode(NetException.ERR_OUT_OF_RANGE, () -> b.addSubnet("1.1.1.1", Integer.MIN_VALUE));
        NetException e = assertThrows(NetException.class, () -> b.addSubnet("1.1.1.1", 33));
        assertEquals("The value of \"prefix\" is out of range. It must be >= 0 && <= 32. Received 33", e.getMessage());
        assertEquals(List.of(), b.rules());
    }

    // #174 rules

    @Test
    @Catalog(174)
    void rules_are_listed_newest_first_in_nodes_text_forms() {
        BlockList b = new BlockList();
        b.addAddress("1.1.1.1");
        b.addRange("10.0.0.1", "10.0.0.10");
        b.addSubnet("8592:757c:efae:4e45::", 64, "IpV6"); // case-insensitive

        assertEquals(List.of(
                "Subnet: IPv6 8592:757c:efae:4e45::/64",
                "Range: IPv4 10.0.0.1-10.0.0.10",
                "Address: IPv4 1.1.1.1"), b.rules());

        assertTrue(b.check("1.1.1.1"));
        assertTrue(b.check("10.0.0.5"));
        assertTrue(b.check("::ffff:10.0.0.5", "ipv6"));
        assertTrue(b.check("8592:757c:efae:4e45::f", "ipv6"));
        assertFalse(b.check("123.123.123.123"));
        assertFalse(b.check("8592:757c:efaf:4e45:fb5d:d62a:0d00:8e17", "ipv6"));
        assertFalse(b.check("::ffff:123.123.123.123", "ipv6"));
    }

    @Test
    @Catalog(174)
    void rules_print_the_family_capitalised_and_the_addresses_in_canonical_form() {
        BlockList b = new BlockList();
        b.addAddress("0:0:0:0:0:FFFF:0101:0102", "IPV6");
        b.addRange("::1", "::F", "Ipv6");
        b.addSubnet(v4("10.1.2.3"), 8);
        b.addAddress(SocketAddress.of("2001:DB8::1", 443));
        assertEquals(List.of(
                "Address: IPv6 2001:db8::1",
                "Subnet: IPv4 10.1.2.3/8",
                "Range: IPv6 ::1-::f",
                "Address: IPv6 ::ffff:1.1.1.2"), b.rules());
    }

    @Test
    void the_same_rule_added_twice_is_listed_twice_as_in_node_20() {
        BlockList b = new BlockList();
        b.addAddress("1.1.1.1");
        b.addAddress("1.1.1.1");
        assertEquals(List.of("Address: IPv4 1.1.1.1", "Address: IPv4 1.1.1.1"), b.rules());
    }

    @Test
    void rules_is_an_immutable_snapshot() {
        BlockList b = new BlockList();
        b.addAddress("1.1.1.1");
        List<String> rules = b.rules();
        assertThrows(UnsupportedOperationException.class, () -> rules.add("Address: IPv4 2.2.2.2"));
        assertThrows(UnsupportedOperationException.class, rules::clear);
        b.addAddress("2.2.2.2");
        assertEquals(List.of("Address: IPv4 1.1.1.1"), rules);
        assertEquals(2, b.rules().size());
    }

    @Test
    void a_new_block_list_is_empty_and_blocks_nothing() {
        BlockList b = new BlockList();
        assertEquals(List.of(), b.rules());
        assertFalse(b.check("1.1.1.1"));
        assertFalse(b.check("::", "ipv6"));
        assertEquals("BlockList { rules: [] }", b.toString());
    }

    @Test
    void to_string_is_nodes_inspect_form() {
        BlockList b = new BlockList();
        b.addAddress("1.1.1.1");
        b.addSubnet("10.0.0.0", 8);
        assertEquals("BlockList { rules: [ 'Subnet: IPv4 10.0.0.0/8', 'Address: IPv4 1.1.1.1' ] }", b.toString());
    }

    // #175 check

    @Test
    @Catalog(175)
    void check_with_a_null_argument_is_ERR_INVALID_ARG_TYPE() {
        BlockList b = new BlockList();
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.check((String) null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.check((String) null, "ipv4"));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.check("", null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.check((SocketAddress) null));
        assertCode(NetException.ERR_INVALID_ARG_TYPE, () -> b.check((InetAddress) null));
    }

    @Test
    void check_of_text_that_is_not_an_address_of_the_type_is_false_as_in_node() {
        BlockList b = new BlockList();
        b.addSubnet("0.0.0.0", 0);
        b.addSubnet("::", 0, "ipv6");
        assertFalse(b.check("not an ip"));
        assertFalse(b.check(""));
        assertFalse(b.check("::1"), "an IPv6 address checked as ipv4");
        assertFalse(b.check("1.1.1.1", "ipv6"), "an IPv4 address checked as ipv6");
        assertFalse(b.check("1.1.1.1", "foo"), "Node's check() swallows the family error");
        assertTrue(b.check("1.1.1.1"));
        assertTrue(b.check("::1", "ipv6"));
    }

    @Test
    void check_of_an_inet_address_uses_its_family_without_a_lookup() throws UnknownHostException {
        BlockList b = new BlockList();
        b.addAddress("1.1.1.1");
        b.addSubnet("2001:db8::", 32, "ipv6");
        assertTrue(b.check(InetAddress.getByAddress(new byte[] {1, 1, 1, 1})));
        assertFalse(b.check(InetAddress.getByAddress(new byte[] {1, 1, 1, 2})));
        assertTrue(b.check(InetAddress.getByAddress("named", new byte[] {1, 1, 1, 1})));

        byte[] doc = new byte[16];
        doc[0] = 0x20;
        doc[1] = 0x01;
        doc[2] = 0x0d;
        doc[3] = (byte) 0xb8;
        doc[15] = 9;
        assertTrue(b.check(Inet6Address.getByAddress(null, doc, 3)));

        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 1;
        mapped[13] = 1;
        mapped[14] = 1;
        mapped[15] = 1;
        InetAddress javaMapped = InetAddress.getByAddress(mapped);
        assertInstanceOf(Inet4Address.class, javaMapped, "the JDK turns mapped bytes into an Inet4Address");
        assertTrue(b.check(javaMapped));
        assertTrue(b.check(Inet6Address.getByAddress(null, mapped, -1)), "a mapped Inet6Address matches too");
    }

    @Test
    void is_block_list_tells_block_lists_from_other_objects() {
        assertTrue(BlockList.isBlockList(new BlockList()));
        assertFalse(BlockList.isBlockList("BlockList"));
        assertFalse(BlockList.isBlockList(null));
        assertFalse(BlockList.isBlockList(SocketAddress.of("1.1.1.1", 0)));
    }

    // thread safety

    @Test
    void concurrent_adds_and_checks_lose_no_rule_and_never_unblock_an_address() throws InterruptedException {
        int writers = 4;
        int perWriter = 250;
        int readers = 4;
        BlockList b = new BlockList();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch writersDone = new CountDownLatch(writers);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads.add(Thread.ofVirtual().unstarted(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perWriter; i++) {
                        String address = "10." + writer + "." + (i / 256) + "." + (i % 256);
                        b.addAddress(address);
                        if (!b.check(address)) {
                            failures.add("writer does not see its own rule " + address);
                        }
                    }
                } catch (InterruptedException e) {
                    failures.add("interrupted");
                } finally {
                    writersDone.countDown();
                }
            }));
        }
        for (int r = 0; r < readers; r++) {
            int reader = r;
            threads.add(Thread.ofVirtual().unstarted(() -> {
                try {
                    start.await();
                    String watched = "10." + (reader % writers) + ".0.0";
                    boolean seen = false;
                    int lastSize = 0;
                    for (int round = 0; round < 20_000 && writersDone.getCount() > 0; round++) {
                        boolean now = b.check(watched);
                        if (seen && !now) {
                            failures.add(watched + " was blocked, then not");
                        }
                        seen |= now;
                        List<String> rules = b.rules();
                        if (rules.size() < lastSize) {
                            failures.add("rules shrank from " + lastSize + " to " + rules.size());
                        }
                        lastSize = rules.size();
                        if (!rules.isEmpty() && !rules.get(rules.size() - 1).startsWith("Address: IPv4 10.")) {
                            failures.add("odd oldest rule " + rules.get(rules.size() - 1));
                        }
                        b.check("::ffff:10.0.0.0", "ipv6");
                    }
                } catch (InterruptedException e) {
                    failures.add("interrupted");
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            assertTrue(t.join(java.time.Duration.ofSeconds(30)), "thread finished");
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(writers * perWriter, b.rules().size());
        for (int w = 0; w < writers; w++) {
            for (int i = 0; i < perWriter; i++) {
                assertTrue(b.check("10." + w + "." + (i / 256) + "." + (i % 256)));
            }
        }
        assertFalse(b.check("10." + writers + ".0.0"));
        assertTrue(writersDone.await(0, TimeUnit.SECONDS));
    }
}
