package dev.loomnet.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Node's {@code net.BlockList}: rules that block single IP addresses, inclusive ranges and subnets, and a
 * {@link #check(String) check} of an address against them.
 *
 * <pre>{@code
 * BlockList blockList = new BlockList();
 * blockList.addAddress("123.123.123.123");
 * blockList.addRange("10.0.0.1", "10.0.0.10");
 * blockList.addSubnet("8592:757c:efae:4e45::", 64, "ipv6");
 *
 * blockList.check("123.123.123.123");                  // true
 * blockList.check("10.0.0.3");                         // true
 * blockList.check("222.111.111.222");                  // false
 * blockList.check("::ffff:7b7b:7b7b", "ipv6");         // true: IPv6 notation for an IPv4 address works
 * blockList.check("::ffff:123.123.123.123", "ipv6");   // true
 * }</pre>
 *
 * <p><b>Families.</b> Addresses given as text are read as the {@code type} argument says, {@value SocketAddress#IPV4}
 * (the default) or {@value SocketAddress#IPV6}, in any case ({@code "IpV6"} works); text that is not an address of
 * that type ({@link Net#isIPv4(String)}, {@link Net#isIPv6(String)}) is refused when adding a rule and simply not
 * blocked when checking. As in Node, an IPv4 rule also matches the IPv4-mapped IPv6 form of its addresses
 * ({@code ::ffff:1.1.1.1}, or {@code ::ffff:0101:0101}), and an IPv6 rule written in mapped form matches the plain
 * IPv4 address. A range whose ends are of different families matches an address of the other family only if the
 * IPv6 side is IPv4-mapped.
 *
 * <p><b>Threads.</b> Any number of threads may check while others add rules: each {@code check} sees every rule
 * whose {@code add} call returned before it started, and perhaps some added meanwhile. Checks never block; adds are
 * serialised by a lock and copy the (usually short) rule array.
 */
public final class BlockList {

    private final ReentrantLock writeLock = new ReentrantLock();
    /** Newest first; replaced, never modified, under {@link #writeLock}. */
    private volatile Rule[] rules = new Rule[0];

    /** Creates an empty block list ({@code new net.BlockList()}). */
    public BlockList() {
    }

    /**
     * Returns whether {@code value} is a block list ({@code BlockList.isBlockList(value)}).
     *
     * @param value any object, or {@code null}
     * @return {@code true} for a {@link BlockList}
     */
    public static boolean isBlockList(@Nullable Object value) {
        return value instanceof BlockList;
    }

    /**
     * Blocks one IPv4 address ({@code blockList.addAddress(address)}).
     *
     * @param address an IPv4 address
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null, {@code ERR_INVALID_ARG_VALUE} for text that is not
     *                      an IPv4 address
     */
    public void addAddress(String address) {
        addAddress(address, SocketAddress.DEFAULT_FAMILY);
    }

    /**
     * Blocks one address ({@code blockList.addAddress(address, type)}).
     *
     * @param address an address of the type
     * @param type    {@value SocketAddress#IPV4} or {@value SocketAddress#IPV6}, in any case
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for a null argument, {@code ERR_INVALID_ARG_VALUE} for an
     *                      unknown type or an address that is not of the type
     */
    public void addAddress(String address, String type) {
        Args.notNull(address, "address");
        add(new AddressRule(Ip.of(address, SocketAddress.parseFamily(type, "type"), "address")));
    }

    /**
     * Blocks one address, of the socket address's family; its port is ignored.
     *
     * @param address the address
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null
     */
    public void addAddress(SocketAddress address) {
        Args.notNull(address, "address");
        add(new AddressRule(Ip.of(address)));
    }

    /**
     * Blocks the IPv4 addresses from {@code start} to {@code end}, both included
     * ({@code blockList.addRange(start, end)}).
     *
     * @param start the first blocked address
     * @param end   the last blocked address, not before {@code start}
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null, {@code ERR_INVALID_ARG_VALUE} for text that is not
     *                      an IPv4 address or a {@code start} after {@code end}
     */
    public void addRange(String start, String end) {
        addRange(start, end, SocketAddress.DEFAULT_FAMILY);
    }

    /**
     * Blocks the addresses from {@code start} to {@code end}, both included
     * ({@code blockList.addRange(start, end, type)}).
     *
     * @param start the first blocked address
     * @param end   the last blocked address, not before {@code start}
     * @param type  {@value SocketAddress#IPV4} or {@value SocketAddress#IPV6}, in any case
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for a null argument, {@code ERR_INVALID_ARG_VALUE} for an
     *                      unknown type, an address that is not of the type, or a {@code start} after {@code end}
     */
    public void addRange(String start, String end, String type) {
        Args.notNull(start, "start");
        Args.notNull(end, "end");
        String family = SocketAddress.parseFamily(type, "type");
        addRange(Ip.of(start, family, "start"), Ip.of(end, family, "end"));
    }

    /**
     * Blocks the addresses from {@code start} to {@code end}, both included; ports are ignored.
     *
     * @param start the first blocked address
     * @param end   the last blocked address, not before {@code start}
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null, {@code ERR_INVALID_ARG_VALUE} for a {@code start}
     *                      after {@code end}
     */
    public void addRange(SocketAddress start, SocketAddress end) {
        Args.notNull(start, "start");
        Args.notNull(end, "end");
        addRange(Ip.of(start), Ip.of(end));
    }

    private void addRange(Ip start, Ip end) {
        if (start.comparable(end) && start.compareTo(end) > 0) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "The argument 'start' must come before end. Received '" + start.text + "'");
        }
        add(new RangeRule(start, end));
    }

    /**
     * Blocks the IPv4 subnet {@code net/prefix} ({@code blockList.addSubnet(net, prefix)}).
     *
     * @param net    the network address; the bits after the prefix are ignored
     * @param prefix the number of network bits, 0..32
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null, {@code ERR_INVALID_ARG_VALUE} for text that is not
     *                      an IPv4 address, {@code ERR_OUT_OF_RANGE} for a prefix outside 0..32
     */
    public void addSubnet(String net, int prefix) {
        addSubnet(net, prefix, SocketAddress.DEFAULT_FAMILY);
    }

    /**
     * Blocks the subnet {@code net/prefix} ({@code blockList.addSubnet(net, prefix, type)}).
     *
     * @param net    the network address; the bits after the prefix are ignored
     * @param prefix the number of network bits: 0..32 for IPv4, 0..128 for IPv6
     * @param type   {@value SocketAddress#IPV4} or {@value SocketAddress#IPV6}, in any case
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for a null argument, {@code ERR_INVALID_ARG_VALUE} for an
     *                      unknown type or an address that is not of the type, {@code ERR_OUT_OF_RANGE} for a prefix
     *                      out of range
     */
    public void addSubnet(String net, int prefix, String type) {
        Args.notNull(net, "net");
        addSubnet(Ip.of(net, SocketAddress.parseFamily(type, "type"), "net"), prefix);
    }

    /**
     * Blocks the subnet {@code net/prefix} of the socket address's family; its port is ignored.
     *
     * @param net    the network address; the bits after the prefix are ignored
     * @param prefix the number of network bits: 0..32 for IPv4, 0..128 for IPv6
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null, {@code ERR_OUT_OF_RANGE} for a prefix out of range
     */
    public void addSubnet(SocketAddress net, int prefix) {
        Args.notNull(net, "net");
        addSubnet(Ip.of(net), prefix);
    }

    private void addSubnet(Ip net, int prefix) {
        int max = net.v6 ? 128 : 32;
        if (prefix < 0 || prefix > max) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE,
                    "The value of \"prefix\" is out of range. It must be >= 0 && <= " + max + ". Received " + prefix);
        }
        add(new SubnetRule(net, prefix));
    }

    /**
     * Returns whether an IPv4 address is blocked ({@code blockList.check(address)}).
     *
     * @param address the address to check
     * @return {@code true} if a rule matches; {@code false} also when the text is not an IPv4 address
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null
     */
    public boolean check(String address) {
        return check(address, SocketAddress.DEFAULT_FAMILY);
    }

    /**
     * Returns whether an address is blocked ({@code blockList.check(address, type)}). As in Node, text that is not
     * an address of the type, and a type that is neither {@value SocketAddress#IPV4} nor
     * {@value SocketAddress#IPV6}, give {@code false} rather than an error.
     *
     * @param address the address to check
     * @param type    {@value SocketAddress#IPV4} or {@value SocketAddress#IPV6}, in any case
     * @return {@code true} if a rule matches
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for a null argument
     */
    public boolean check(String address, String type) {
        Args.notNull(address, "address");
        Args.notNull(type, "type");
        Ip ip;
        try {
            ip = Ip.of(address, SocketAddress.parseFamily(type, "type"), "address");
        } catch (NetException notAnAddress) {
            return false;
        }
        return check(ip);
    }

    /**
     * Returns whether the socket address's address is blocked; its port is ignored.
     *
     * @param address the address to check
     * @return {@code true} if a rule matches
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null
     */
    public boolean check(SocketAddress address) {
        Args.notNull(address, "address");
        return check(Ip.of(address));
    }

    /**
     * Returns whether an {@link InetAddress} is blocked: an {@link Inet4Address} is checked as IPv4, an
     * {@link java.net.Inet6Address} as IPv6 (its scope is ignored). No name lookup happens.
     *
     * @param address the address to check, e.g. a connection's remote address
     * @return {@code true} if a rule matches
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null
     */
    public boolean check(InetAddress address) {
        Args.notNull(address, "address");
        return check(new Ip(address.getAddress())); // 4 bytes for an Inet4Address, 16 for an Inet6Address
    }

    private boolean check(Ip ip) {
        for (Rule rule : rules) {
            if (rule.matches(ip)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the rules, newest first, in Node's text forms ({@code blockList.rules}):
     * {@code Address: IPv4 1.1.1.1}, {@code Range: IPv4 10.0.0.1-10.0.0.10},
     * {@code Subnet: IPv6 8592:757c:efae:4e45::/64}. Addresses are in canonical form (see
     * {@link SocketAddress#address()}); adding the same rule twice lists it twice, as in Node 20 and 22.
     *
     * @return an immutable snapshot
     */
    public List<String> rules() {
        Rule[] snapshot = rules;
        List<String> out = new ArrayList<>(snapshot.length);
        for (Rule rule : snapshot) {
            out.add(rule.text());
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Returns the block list as Node's {@code util.inspect} prints it, e.g.
     * {@code BlockList { rules: [ 'Address: IPv4 1.1.1.1' ] }}.
     *
     * @return the text
     */
    @Override
    public String toString() {
        List<String> texts = rules();
        if (texts.isEmpty()) {
            return "BlockList { rules: [] }";
        }
        return "BlockList { rules: [ '" + String.join("', '", texts) + "' ] }";
    }

    private void add(Rule rule) {
        writeLock.lock();
        try {
            Rule[] old = rules;
            Rule[] next = new Rule[old.length + 1];
            next[0] = rule;
            System.arraycopy(old, 0, next, 1, old.length);
            rules = next;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * An address as 128 bits, IPv4 in its mapped form {@code ::ffff:a.b.c.d}, plus its family and text. In that
     * form Node's mixed-family comparisons become plain ones: an IPv4 address equals, orders against, and lies in a
     * subnet with an IPv6 address exactly when the IPv6 address is IPv4-mapped.
     */
    private static final class Ip {
        final long hi;
        final long lo;
        final boolean v6;
        final String text;

        /** Makes an address from 4 or 16 bytes. */
        Ip(byte[] bytes) {
            this.v6 = bytes.length == 16;
            if (v6) {
                this.hi = bits(bytes, 0);
                this.lo = bits(bytes, 8);
            } else {
                this.hi = 0;
                this.lo = 0xFFFF_0000_0000L | (bits(bytes, 0) >>> 32);
            }
            this.text = IpBytes.format(bytes);
        }

        static Ip of(String address, String family, String name) {
            return new Ip(SocketAddress.addressBytes(address, family, name));
        }

        static Ip of(SocketAddress address) {
            return new Ip(address.bytes());
        }

        private static long bits(byte[] bytes, int from) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (from + i < bytes.length ? bytes[from + i] & 0xff : 0);
            }
            return v;
        }

        boolean mapped() {
            return hi == 0 && lo >>> 32 == 0xFFFF;
        }

        /** Node compares addresses of different families only when the IPv6 one is IPv4-mapped. */
        boolean comparable(Ip other) {
            return v6 == other.v6 || (mapped() && other.mapped());
        }

        int compareTo(Ip other) {
            int c = Long.compareUnsigned(hi, other.hi);
            return c != 0 ? c : Long.compareUnsigned(lo, other.lo);
        }

        boolean sameAs(Ip other) {
            return hi == other.hi && lo == other.lo;
        }

        /** Whether the first {@code bits} (0..128) bits equal those of {@code net}. */
        boolean inPrefix(Ip net, int bits) {
            if (bits <= 64) {
                long mask = bits == 0 ? 0 : -1L << (64 - bits);
                return (hi & mask) == (net.hi & mask);
            }
            long mask = -1L << (128 - bits); // bits 65..128: shift 63..0
            return hi == net.hi && (lo & mask) == (net.lo & mask);
        }

        String family() {
            return v6 ? "IPv6" : "IPv4";
        }
    }

    private sealed interface Rule permits AddressRule, RangeRule, SubnetRule {
        boolean matches(Ip ip);

        String text();
    }

    private record AddressRule(Ip address) implements Rule {
        @Override
        public boolean matches(Ip ip) {
            return ip.sameAs(address);
        }

        @Override
        public String text() {
            return "Address: " + address.family() + " " + address.text;
        }
    }

    private record RangeRule(Ip start, Ip end) implements Rule {
        @Override
        public boolean matches(Ip ip) {
            return ip.comparable(start) && ip.compareTo(start) >= 0 && ip.comparable(end) && ip.compareTo(end) <= 0;
        }

        @Override
        public String text() {
            return "Range: " + start.family() + " " + start.text + "-" + end.text;
        }
    }

    private record SubnetRule(Ip net, int prefix) implements Rule {
        @Override
        public boolean matches(Ip ip) {
            // An IPv4 prefix covers the 96 bits of the mapped prefix too, so IPv6 addresses must be mapped.
            return ip.inPrefix(net, net.v6 ? prefix : 96 + prefix);
        }

        @Override
        public String text() {
            return "Subnet: " + net.family() + " " + net.text + "/" + prefix;
        }
    }
}
