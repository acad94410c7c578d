package dev.loomnet.loom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomnet.net.Lookup;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default lookup's hints against {@code getaddrinfo}'s rules, with the machine's families given. */
class LookupHintsTest {

    private static final Lookup.Address V4 = new Lookup.Address("192.0.2.7", 4);
    private static final Lookup.Address V6 = new Lookup.Address("2001:db8::7", 6);
    private static final Lookup.Address MAPPED = new Lookup.Address("::ffff:192.0.2.7", 6);

    private static InetAddress[] both() throws UnknownHostException {
        return new InetAddress[] {InetAddress.getByName("192.0.2.7"), InetAddress.getByName("2001:db8::7")};
    }

    private static InetAddress[] v4Only() throws UnknownHostException {
        return new InetAddress[] {InetAddress.getByName("192.0.2.7")};
    }

    @Test
    void without_hints_the_family_filters() throws Exception {
        assertEquals(List.of(V4, V6), LookupHints.apply(both(), 0, 0, true, true));
        assertEquals(List.of(V4), LookupHints.apply(both(), 4, 0, true, true));
        assertEquals(List.of(V6), LookupHints.apply(both(), 6, 0, true, true));
        assertEquals(List.of(), LookupHints.apply(v4Only(), 6, 0, true, true));
    }

    @Test
    void v4mapped_answers_family_6_with_mapped_ipv4_only_when_there_is_no_ipv6() throws Exception {
        assertEquals(List.of(MAPPED), LookupHints.apply(v4Only(), 6, Lookup.V4MAPPED, true, true));
        assertEquals(List.of(V6), LookupHints.apply(both(), 6, Lookup.V4MAPPED, true, true));
        assertEquals(List.of(V6, MAPPED), LookupHints.apply(both(), 6, Lookup.V4MAPPED | Lookup.ALL, true, true));
        assertEquals(List.of(V4, V6), LookupHints.apply(both(), 0, Lookup.V4MAPPED | Lookup.ALL, true, true));
        assertEquals(List.of(V4), LookupHints.apply(v4Only(), 4, Lookup.V4MAPPED, true, true));
    }

    @Test
    void addrconfig_keeps_the_families_the_machine_has() throws Exception {
        assertEquals(List.of(V4), LookupHints.apply(both(), 0, Lookup.ADDRCONFIG, true, false));
        assertEquals(List.of(V6), LookupHints.apply(both(), 0, Lookup.ADDRCONFIG, false, true));
        assertEquals(List.of(V4, V6), LookupHints.apply(both(), 0, Lookup.ADDRCONFIG, false, false));
        assertEquals(List.of(), LookupHints.apply(both(), 6, Lookup.ADDRCONFIG, true, false));
        assertEquals(List.of(), LookupHints.apply(both(), 4, Lookup.ADDRCONFIG, false, true));
        assertEquals(List.of(MAPPED),
                LookupHints.apply(v4Only(), 6, Lookup.ADDRCONFIG | Lookup.V4MAPPED, true, true));
    }
}
