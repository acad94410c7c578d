package dev.loomnet.tests.values;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.tests.Catalog;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code net.isIP}, {@code net.isIPv4} and {@code net.isIPv6} against Node's answers: every case of catalog #160-169
 * (from Node's test-net-isip.js, test-net-isipv4.js and test-net-isipv6.js) and more edge cases worked out from
 * Node's grammar in {@code lib/internal/net.js}. JavaScript's {@code String(x)} coercion of non-strings is shown as
 * the string Node would test ({@code isIP(123)} tests {@code "123"}).
 */
class IsIpTest {

    /** One input, Node's {@code isIP} answer (0, 4 or 6) and where the answer comes from. */
    record Case(String input, int isIP, String source) {
        @Override
        public String toString() {
            String shown = input.length() > 60 ? input.substring(0, 57) + "...(" + input.length() + " chars)" : input;
            return "isIP(\"" + shown.replace("\n", "\\n").replace("\t", "\\t") + "\") = " + isIP + "  [" + source + "]";
        }
    }

    private static Case c(String input, int isIP, String source) {
        return new Case(input, isIP, source);
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // #160
        cases.add(c("127.0.0.1", 4, "#160"));
        cases.add(c("x127.0.0.1", 0, "#160"));
        cases.add(c("example.com", 0, "#160"));
        cases.add(c("0", 0, "#160"));
        // #161
        cases.add(c("0000:0000:0000:0000:0000:0000:0000:0000", 6, "#161"));
        cases.add(c("0000:0000:0000:0000:0000:0000:0000:0000::0000", 0, "#161"));
        cases.add(c("0000:0000:0000:0000:0000:0000:12345:0000", 0, "#161"));
        // #162
        cases.add(c("::", 6, "#162"));
        cases.add(c("::1", 6, "#162"));
        cases.add(c("2001::", 6, "#162"));
        cases.add(c("2001:dead::", 6, "#162"));
        cases.add(c("2001:dead:beef::", 6, "#162"));
        cases.add(c("2001:dead:beef:1::", 6, "#162"));
        cases.add(c("2001:252:0:1::2008:6", 6, "#162"));
        cases.add(c("2001:dead:beef:1::2008:6", 6, "#162"));
        cases.add(c("1050:0:0:0:5:600:300c:326b", 6, "#162"));
        cases.add(c("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6, "#162"));
        // #163
        cases.add(c(":2001:252:0:1::2008:6:", 0, "#163"));
        cases.add(c(":2001:252:0:1::2008:6", 0, "#163 leading single colon"));
        cases.add(c("2001:252:0:1::2008:6:", 0, "#163 trailing single colon"));
        cases.add(c("2001:252::1::2008:6", 0, "#163 two ::"));
        cases.add(c("::2001:252:1:2008:6", 6, "#163"));
        // #164
        cases.add(c("::2001:252:1:1.1.1.1", 6, "#164"));
        cases.add(c("::2001:252:1:255.255.255.255", 6, "#164"));
        cases.add(c("::2001:252:1:255.255.255.255.76", 0, "#164 fifth dotted part"));
        cases.add(c("::anything", 0, "#164"));
        // #165
        cases.add(c("fe80::2008%eth0", 6, "#165 zone id"));
        cases.add(c("fe80::2008%eth0.0", 6, "#165 zone id"));
        cases.add(c("fe80::7:8%1", 6, "#165 zone id"));
        cases.add(c("fe80::7:8%eth0", 6, "#165 zone id"));
        cases.add(c("fe80::2008%eth0@1", 0, "#165 '@' not a zone character"));
        // #166 (null is in its own test); String(x) of the non-strings Node tests
        cases.add(c("", 0, "#166 empty"));
        cases.add(c("undefined", 0, "#166 isIP() = String(undefined)"));
        cases.add(c("123", 0, "#166 String(123)"));
        cases.add(c("true", 0, "#166 String(true)"));
        cases.add(c("[object Object]", 0, "#166 String({})"));
        cases.add(c("bla", 0, "#166 toString() = 'bla'"));
        // #167 IPv4 rejects (test-net-isipv4.js v4not, doc)
        cases.add(c(".100.100.100.100", 0, "#167 leading dot"));
        cases.add(c("100..100.100.100.", 0, "#167 empty octet"));
        cases.add(c("100.100.100.100.", 0, "#167 trailing dot"));
        cases.add(c("999.999.999.999", 0, "#167"));
        cases.add(c("256.256.256.256", 0, "#167"));
        cases.add(c("256.100.100.100.100", 0, "#167 five octets"));
        cases.add(c("123.123.123", 0, "#167 three octets"));
        cases.add(c("http://123.123.123", 0, "#167 URL prefix"));
        cases.add(c("1000.2.3.4", 0, "#167"));
        cases.add(c("999.2.3.4", 0, "#167"));
        cases.add(c("0000000192.168.0.200", 0, "#167 zero padding"));
        cases.add(c("127.000.000.001", 0, "#167 doc: leading zeros"));
        cases.add(c("192.168.0.2000000000", 0, "#167 too many digits"));
        cases.add(c("127.0.0.1/24", 0, "#167 CIDR suffix"));
        // test-net-isipv4.js v4 (valid)
        cases.add(c("0.0.0.0", 4, "isipv4"));
        cases.add(c("8.8.8.8", 4, "isipv4"));
        cases.add(c("100.100.100.100", 4, "isipv4"));
        cases.add(c("223.255.255.255", 4, "isipv4"));
        cases.add(c("255.255.255.255", 4, "grammar: 25[0-5]"));
        cases.add(c("249.200.199.10", 4, "grammar: 2[0-4][0-9], 1[0-9][0-9], [1-9][0-9]"));
        // #168 IPv6 accepts
        cases.add(c("1::", 6, "#168"));
        cases.add(c("::8", 6, "#168"));
        cases.add(c("1:2:3:4:5:6:7::", 6, "#168"));
        cases.add(c("::2:3:4:5:6:7:8", 6, "#168"));
        cases.add(c("::ffff:192.168.1.26", 6, "#168 mapped"));
        cases.add(c("::FFFF:129.144.52.38", 6, "#168 mapped, upper case"));
        cases.add(c("::ffff:0c22:384e", 6, "#168 mapped, hex form"));
        cases.add(c("2001:0000:1234:0000:0000:C1C0:ABCD:0876", 6, "#168 upper case"));
        cases.add(c("FF02:0000:0000:0000:0000:0000:0000:0001", 6, "#168 upper case"));
        cases.add(c("A:BB:CCC:DDDD:000E:00F:0F::", 6, "#168 upper case, 1-4 digits"));
        cases.add(c("2001:DB8::8:800:200C:417A", 6, "#168"));
        cases.add(c("0:0:0:0:0:FFFF:129.144.52.38", 6, "#168 mapped, full form"));
        // every '::' placement
        cases.add(c("1::8", 6, "'::' placement"));
        cases.add(c("1:2::8", 6, "'::' placement"));
        cases.add(c("1:2:3::8", 6, "'::' placement"));
        cases.add(c("1:2:3:4::8", 6, "'::' placement"));
        cases.add(c("1:2:3:4:5::8", 6, "'::' placement"));
        cases.add(c("1:2:3:4:5:6::8", 6, "'::' placement"));
        cases.add(c("1::3:4:5:6:7:8", 6, "'::' placement"));
        cases.add(c("1:2::4:5:6:7:8", 6, "'::' placement"));
        cases.add(c("1:2:3::5:6:7:8", 6, "'::' placement"));
        cases.add(c("1:2:3:4::6:7:8", 6, "'::' placement"));
        cases.add(c("1:2:3:4:5::7:8", 6, "'::' placement"));
        cases.add(c("1:2:3:4:5:6::", 6, "'::' placement"));
        cases.add(c("1:2:3:4:5:6:7:8", 6, "no '::'"));
        cases.add(c("1:2:3:4:5:6:7::8", 0, "'::' standing for no group (9 groups)"));
        cases.add(c("1::2::3", 0, "two '::'"));
        cases.add(c("1:::3:4:5", 0, "':::'"));
        // embedded IPv4 with '::'
        cases.add(c("::1.2.3.4", 6, "IPv4-compatible"));
        cases.add(c("1::1.2.3.4", 6, "embedded IPv4"));
        cases.add(c("1:2:3:4:5::1.2.3.4", 6, "embedded IPv4"));
        cases.add(c("1:2:3:4:5:6:1.2.3.4", 6, "embedded IPv4, no '::'"));
        cases.add(c("1:2:3:4:5:6:7:1.2.3.4", 0, "embedded IPv4 after 7 groups"));
        cases.add(c("fe80::217:f2ff:254.7.237.98", 6, "embedded IPv4"));
        // #169 IPv6 rejects
        cases.add(c("02001:0000:1234:0000:0000:C1C0:ABCD:0876", 0, "#169 5-digit first group"));
        cases.add(c("2001:0000:1234: 0000:0000:C1C0:ABCD:0876", 0, "#169 embedded space"));
        cases.add(c("2001:0000:1234:0000:0000:C1C0:ABCD:0876 0", 0, "#169 trailing junk"));
        cases.add(c("1.2.3.4::", 0, "#169 IPv4 first"));
        cases.add(c("1.2.3.4::5555", 0, "#169 IPv4 first"));
        cases.add(c("::ffff:2.3.4", 0, "#169 3-part embedded IPv4"));
        cases.add(c("::ffff:257.1.2.3", 0, "#169 embedded octet > 255"));
        cases.add(c("fe80:0000:0000:0000:0204:61ff:254.157.241.086", 0, "#169 embedded leading zero"));
        cases.add(c(":::", 0, "#169"));
        cases.add(c("1:", 0, "#169"));
        cases.add(c(":1", 0, "#169"));
        cases.add(c(":", 0, "single colon"));
        cases.add(c("1:2:3:4:5:6:7:8:9", 0, "#169 9 groups"));
        cases.add(c("11:36:12", 0, "three groups, no '::'"));
        cases.add(c("2001:db8:85a3::8a2e:370k:7334", 0, "non-hex digit"));
        // leading zeros
        cases.add(c("01.2.3.4", 0, "leading zero"));
        cases.add(c("1.2.3.04", 0, "leading zero"));
        cases.add(c("00.0.0.0", 0, "leading zero"));
        cases.add(c("::0001", 6, "hex groups may have leading zeros"));
        cases.add(c("::00001", 0, "5 hex digits"));
        // whitespace
        cases.add(c(" 127.0.0.1", 0, "leading space"));
        cases.add(c("127.0.0.1 ", 0, "trailing space"));
        cases.add(c("127.0.0.1\n", 0, "trailing newline (JS '$' is end of input)"));
        cases.add(c("\t::1", 0, "leading tab"));
        cases.add(c("::1 ", 0, "trailing space"));
        cases.add(c(" ", 0, "a space"));
        // too long
        cases.add(c("1.2.3.4.5", 0, "five parts"));
        cases.add(c("1".repeat(1000), 0, "1000 digits"));
        cases.add(c("ffff:".repeat(100) + "ffff", 0, "101 groups"));
        cases.add(c("fe80::1%" + "a".repeat(500), 6, "zone ids have no length limit"));
        // zone ids
        cases.add(c("fe80::1%", 0, "empty zone id"));
        cases.add(c("%eth0", 0, "zone id alone"));
        cases.add(c("127.0.0.1%eth0", 0, "zone id on IPv4"));
        cases.add(c("fe80::1%eth0%1", 0, "'%' in zone id"));
        cases.add(c("fe80::1%eth 0", 0, "space in zone id"));
        cases.add(c("fe80::1%Eth-0:1.x", 6, "zone characters [0-9a-zA-Z-.:]"));
        cases.add(c("::ffff:1.2.3.4%0", 6, "zone id after embedded IPv4"));
        // IPv4-mapped forms
        cases.add(c("::ffff:1.1.1.1", 6, "mapped"));
        cases.add(c("::ffff:0101:0101", 6, "mapped, hex form"));
        cases.add(c("::FFFF:1.1.1.1", 6, "mapped, upper case"));
        cases.add(c("::ffff:1.1.1.01", 0, "mapped, leading zero"));
        cases.add(c("::ffff:0:0", 6, "mapped"));
        // upper-case hex
        cases.add(c("ABCD::EF01", 6, "upper case"));
        cases.add(c("aBcD::1", 6, "mixed case"));
        cases.add(c("::FFFF", 6, "upper case"));
        cases.add(c("::fffg", 0, "'g' is not hex"));
        // digits outside ASCII
        cases.add(c("\u0661.2.3.4", 0, "Arabic-Indic digit"));
        cases.add(c("\uff11.2.3.4", 0, "full-width digit"));
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Catalog({160, 161, 162, 163, 164, 165, 166, 167, 168, 169})
    void isIP_isIPv4_and_isIPv6_give_nodes_answer(Case c) {
        assertAll(
                () -> assertEquals(c.isIP(), Net.isIP(c.input()), "isIP"),
                () -> assertEquals(c.isIP() == 4, Net.isIPv4(c.input()), "isIPv4"),
                () -> assertEquals(c.isIP() == 6, Net.isIPv6(c.input()), "isIPv6"));
    }

    @Test
    @Catalog(166)
    void null_is_not_an_ip_address() {
        assertEquals(0, Net.isIP(null));
        assertFalse(Net.isIPv4(null));
        assertFalse(Net.isIPv6(null));
    }

    @Test
    void the_table_has_at_least_60_distinct_inputs_with_all_three_answers() {
        Set<String> inputs = new HashSet<>();
        Set<Integer> answers = new HashSet<>();
        for (Case c : cases()) {
            inputs.add(c.input());
            answers.add(c.isIP());
        }
        assertTrue(inputs.size() >= 60, "distinct inputs: " + inputs.size());
        assertEquals(Set.of(0, 4, 6), answers);
        assertEquals(inputs.size(), cases().size(), "duplicate input in the table");
    }
}
