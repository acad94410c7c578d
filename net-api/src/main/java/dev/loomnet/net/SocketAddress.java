package dev.loomnet.net;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Node's {@code net.SocketAddress}: an immutable IP address, port, family and IPv6 flow label, validated when
 * made. Build one with {@link #builder()} (Node's {@code new SocketAddress(options)}), {@link #of(String, int)}, or
 * {@link #parse(String)} ({@code SocketAddress.parse}).
 *
 * <p>{@link #address()} is canonical text, as Node's getter returns it: lower-case hex, the longest run of zero
 * groups written {@code ::}, IPv4-mapped addresses as {@code ::ffff:1.2.3.4}, no zone id. So
 * {@code builder().family("ipv6").address("0:0:0:0:0:FFFF:0a00:0002")} has the address {@code ::ffff:10.0.0.2}.
 * Two addresses are {@linkplain #equals(Object) equal} when all four properties are.
 *
 * <pre>{@code
 * SocketAddress a = SocketAddress.builder().address("::1").family("ipv6").port(8080).build();
 * SocketAddress b = SocketAddress.of("::1", 8080);               // the same: the family is taken from the text
 * Optional<SocketAddress> c = SocketAddress.parse("[::1]:8080");  // the same again
 * }</pre>
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class SocketAddress {

    /** The family name of IPv4 addresses, as Node's {@code family} getter returns it. */
    public static final String IPV4 = "ipv4";
    /** The family name of IPv6 addresses, as Node's {@code family} getter returns it. */
    public static final String IPV6 = "ipv6";
    /** The default family. */
    public static final String DEFAULT_FAMILY = IPV4;
    /** The default address when the family is {@value #IPV4}. */
    public static final String DEFAULT_IPV4_ADDRESS = "127.0.0.1";
    /** The default address when the family is {@value #IPV6}. */
    public static final String DEFAULT_IPV6_ADDRESS = "::";
    /** The largest flow label: IPv6 flow labels have 20 bits. */
    public static final int MAX_FLOWLABEL = 0xFFFFF;

    private final byte[] bytes;
    private final String address;
    private final int port;
    private final int flowlabel;

    private SocketAddress(byte[] bytes, int port, int flowlabel) {
        this.bytes = bytes;
        this.address = IpBytes.format(bytes);
        this.port = port;
        this.flowlabel = bytes.length == 16 ? flowlabel : 0;
    }

    /**
     * Returns an address with the family taken from the text: IPv4 when {@link Net#isIPv4(String)} accepts it,
     * IPv6 when {@link Net#isIPv6(String)} does. The flow label is 0. (Node's constructor has no such shortcut: it
     * would need {@code family: 'ipv6'} for an IPv6 address.)
     *
     * @param address an IPv4 or IPv6 address; an IPv6 zone id ({@code %eth0}) is accepted and dropped
     * @param port    0..65535
     * @return the socket address
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for a null address, {@code ERR_INVALID_ARG_VALUE} for text
     *                      that is not an IP address, {@code ERR_SOCKET_BAD_PORT} for a bad port
     */
    public static SocketAddress of(String address, int port) {
        Args.notNull(address, "address");
        Args.port(port, "options.port");
        byte[] v4 = IpBytes.parseV4(address);
        if (v4 != null) {
            return new SocketAddress(v4, port, 0);
        }
        byte[] v6 = IpBytes.parseV6(address);
        if (v6 != null) {
            return new SocketAddress(v6, port, 0);
        }
        throw invalidAddress("address", address);
    }

    /**
     * Parses {@code "ip:port"} text the way Node's {@code SocketAddress.parse} does: as the host and port of the
     * URL {@code http://<input>}. So URL host rules apply: {@code "127.0.0.1:80"} and {@code "[::1]:443"} are what
     * they look like, an IPv4 host may have fewer than four parts and hex or octal parts ({@code "256"} is
     * {@code 0.0.1.0}, {@code "0xffffffff"} is {@code 255.255.255.255}, {@code "192.168.257:1"} is
     * {@code 192.168.1.1} port 1), user info before {@code @} is skipped ({@code "user:80@1.2.3.4:123"} is
     * {@code 1.2.3.4} port 123), and a path after the host is ignored. The port is 0 when there is none.
     *
     * @param input the text
     * @return the address, or empty when the text is not a URL host and port or the host is not an IP address
     *         ({@code "259.1.1.1"}, {@code "12:12:12"}, {@code "example.com"}, {@code "not an ip"})
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for a null input
     */
    public static Optional<SocketAddress> parse(String input) {
        Args.notNull(input, "input");
        UrlHost.Result host = UrlHost.parse(input);
        return host == null ? Optional.empty() : Optional.of(new SocketAddress(host.address(), host.port(), 0));
    }

    /**
     * Returns a builder with Node's defaults: family {@value #DEFAULT_FAMILY}, address {@value #DEFAULT_IPV4_ADDRESS}
     * ({@value #DEFAULT_IPV6_ADDRESS} when the family is {@value #IPV6}), port 0, flow label 0.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the address in canonical text, without zone id ({@code address} in Node).
     *
     * @return the address, e.g. {@code 127.0.0.1} or {@code ::ffff:10.0.0.2}
     */
    public String address() {
        return address;
    }

    /**
     * Returns the port ({@code port} in Node).
     *
     * @return 0..65535
     */
    public int port() {
        return port;
    }

    /**
     * Returns the family in lower case, as Node's {@code SocketAddress} does (unlike {@code socket.address()},
     * which says {@code IPv4}).
     *
     * @return {@value #IPV4} or {@value #IPV6}
     */
    public String family() {
        return bytes.length == 4 ? IPV4 : IPV6;
    }

    /**
     * Returns the IPv6 flow label ({@code flowlabel} in Node); always 0 for IPv4.
     *
     * @return 0..{@value #MAX_FLOWLABEL}
     */
    public int flowlabel() {
        return flowlabel;
    }

    /** The address bytes: 4 for IPv4, 16 for IPv6; shared, never modify. */
    byte[] bytes() {
        return bytes;
    }

    /**
     * Returns whether {@code o} is a socket address with the same address, port, family and flow label.
     *
     * @param o the other object
     * @return {@code true} when equal
     */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof SocketAddress other && Arrays.equals(bytes, other.bytes) && port == other.port
                && flowlabel == other.flowlabel;
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return (Arrays.hashCode(bytes) * 31 + port) * 31 + flowlabel;
    }

    /**
     * Returns the address as Node's {@code util.inspect} prints it, e.g.
     * {@code SocketAddress { address: '127.0.0.1', port: 0, family: 'ipv4', flowlabel: 0 }}.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SocketAddress { address: '" + address + "', port: " + port + ", family: '" + family()
                + "', flowlabel: " + flowlabel + " }";
    }

    /** Parses a family name case-insensitively, as Node does; the name is the property named in the error. */
    static String parseFamily(String family, String name) {
        Args.notNull(family, name);
        String lower = family.toLowerCase(Locale.ROOT);
        if (!lower.equals(IPV4) && !lower.equals(IPV6)) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "The " + (name.indexOf('.') >= 0 ? "property" : "argument") + " '" + name
                            + "' is invalid. Received '" + family + "'");
        }
        return lower;
    }

    /**
     * Parses {@code address} as an address of {@code family} ({@value #IPV4} or {@value #IPV6}).
     *
     * @return the bytes
     * @throws NetException {@code ERR_INVALID_ARG_VALUE} when the address is not one of that family
     */
    static byte[] addressBytes(String address, String family, String name) {
        Args.notNull(address, name);
        byte[] bytes = family.equals(IPV4) ? IpBytes.parseV4(address) : IpBytes.parseV6(address);
        if (bytes == null) {
            throw invalidAddress(name, address);
        }
        return bytes;
    }

    private static NetException invalidAddress(String name, String address) {
        return new NetException(NetException.ERR_INVALID_ARG_VALUE,
                "The " + (name.indexOf('.') >= 0 ? "property" : "argument") + " '" + name
                        + "' is not a valid IP address. Received '" + address + "'");
    }

    /**
     * Builds a {@link SocketAddress} with Node's constructor options; every setter validates its value and returns
     * the builder, {@link #build()} checks that the address belongs to the family.
     */
    public static final class Builder {
        private @Nullable String address;
        private String family = DEFAULT_FAMILY;
        private int port;
        private int flowlabel;

        private Builder() {
        }

        /**
         * Sets the address ({@code options.address}); without it the default is {@value #DEFAULT_IPV4_ADDRESS}
         * or {@value #DEFAULT_IPV6_ADDRESS} by family.
         *
         * @param value an IP address of the family; an IPv6 zone id is accepted and dropped
         * @return this builder
         * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null
         */
        public Builder address(String value) {
            this.address = Args.notNull(value, "options.address");
            return this;
        }

        /**
         * Sets the family ({@code options.family}), case-insensitively.
         *
         * @param value {@value #IPV4} or {@value #IPV6} in any case
         * @return this builder
         * @throws NetException {@code ERR_INVALID_ARG_TYPE} for null, {@code ERR_INVALID_ARG_VALUE} for another name
         */
        public Builder family(String value) {
            this.family = parseFamily(value, "options.family");
            return this;
        }

        /**
         * Sets the port ({@code options.port}).
         *
         * @param value 0..65535
         * @return this builder
         * @throws NetException {@code ERR_SOCKET_BAD_PORT} outside 0..65535
         */
        public Builder port(int value) {
            this.port = Args.port(value, "options.port");
            return this;
        }

        /**
         * Sets the IPv6 flow label ({@code options.flowlabel}); it is kept only for IPv6 addresses.
         *
         * @param value 0..{@value #MAX_FLOWLABEL}
         * @return this builder
         * @throws NetException {@code ERR_OUT_OF_RANGE} outside 0..{@value #MAX_FLOWLABEL}
         */
        public Builder flowlabel(int value) {
            if (value < 0 || value > MAX_FLOWLABEL) {
                throw new NetException(NetException.ERR_OUT_OF_RANGE,
                        "The value of \"options.flowlabel\" is out of range. It must be >= 0 && <= " + MAX_FLOWLABEL
                                + ". Received " + value);
            }
            this.flowlabel = value;
            return this;
        }

        /**
         * Builds the address.
         *
         * @return the socket address
         * @throws NetException {@code ERR_INVALID_ARG_VALUE} when the address is not an address of the family
         */
        public SocketAddress build() {
            String text = address != null ? address : family.equals(IPV4) ? DEFAULT_IPV4_ADDRESS : DEFAULT_IPV6_ADDRESS;
            return new SocketAddress(addressBytes(text, family, "options.address"), port, flowlabel);
        }
    }
}
