package dev.loomnet.loom;

import dev.loomnet.net.Lookup;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The default lookup's family filter and the {@code getaddrinfo} hints the JDK's resolver does not take:
 * {@link Lookup#ADDRCONFIG} keeps the families the machine has an address of, {@link Lookup#V4MAPPED} answers
 * family 6 with {@code ::ffff:} forms of the IPv4 addresses when there is no IPv6 one (after the IPv6 ones with
 * {@link Lookup#ALL}).
 */
final class LookupHints {

    private LookupHints() {
    }

    static List<Lookup.Address> apply(InetAddress[] all, int family, int hints) {
        boolean seen4 = false;
        boolean seen6 = false;
        if ((hints & Lookup.ADDRCONFIG) != 0) {
            for (InetAddress a : configured()) {
                if (a instanceof Inet4Address) {
                    seen4 |= !a.getHostAddress().equals("127.0.0.1");
                } else {
                    seen6 |= !a.isLoopbackAddress();
                }
            }
        }
        return apply(all, family, hints, seen4, seen6);
    }

    /**
     * {@link #apply(InetAddress[], int, int)} given whether the machine has an IPv4 address other than 127.0.0.1
     * and an IPv6 one other than ::1, glibc's test for {@link Lookup#ADDRCONFIG}: with family 0 and only one
     * of the two, only that family; with family 4 or 6 and not that one, nothing; otherwise no filter.
     */
    static List<Lookup.Address> apply(InetAddress[] all, int family, int hints, boolean seen4, boolean seen6) {
        boolean v4 = true;
        boolean v6 = true;
        if ((hints & Lookup.ADDRCONFIG) != 0) {
            if ((family == 4 && !seen4) || (family == 6 && !seen6)) {
                return List.of();
            }
            if (family == 0 && seen4 != seen6) {
                v4 = seen4;
                v6 = seen6;
            }
        }
        List<Lookup.Address> ipv6 = new ArrayList<>();
        List<Lookup.Address> mapped = new ArrayList<>();
        List<Lookup.Address> either = new ArrayList<>();
        for (InetAddress a : all) {
            boolean isV4 = a instanceof Inet4Address;
            if (isV4 ? !v4 : !v6) {
                continue;
            }
            String text = Addresses.text(a, false);
            Lookup.Address address = new Lookup.Address(text, isV4 ? 4 : 6);
            if (family == 0 || family == address.family()) {
                either.add(address);
            }
            if (isV4) {
                mapped.add(new Lookup.Address("::ffff:" + text, 6));
            } else {
                ipv6.add(address);
            }
        }
        if (family != 6 || (hints & Lookup.V4MAPPED) == 0) {
            return either;
        }
        if (ipv6.isEmpty()) {
            return mapped;
        }
        if ((hints & Lookup.ALL) != 0) {
            ipv6.addAll(mapped);
        }
        return ipv6;
    }

    /** Every address of the machine's interfaces. */
    private static List<InetAddress> configured() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                out.addAll(Collections.list(nif.getInetAddresses()));
            }
        } catch (SocketException e) {
            return List.of();                             // nothing seen: no filter, as glibc without interfaces
        }
        return out;
    }
}
