package dev.loomnet.net;

import java.nio.file.Path;

/**
 * An address in Node's shape, as returned by {@link Server#address()} and {@link Socket#address()}:
 * {@code {address: '127.0.0.1', family: 'IPv4', port: 8080}}.
 *
 * <p>For a Unix domain socket, Node's {@code server.address()} returns the path string; loomnet returns an
 * {@code AddressInfo} whose {@code address} is the path, whose {@code family} is {@link #UNIX} and whose
 * {@code port} is 0 (see {@link #isUnix()} and {@link #path()}).
 *
 * @param address the IP address as Node prints it ({@code ::1}, {@code ::ffff:127.0.0.1}), or the path
 * @param family  {@link #IPV4}, {@link #IPV6} or {@link #UNIX}
 * @param port    the port, 0 for Unix sockets
 */
public record AddressInfo(String address, String family, int port) {

    /** Node's family name of IPv4 addresses. */
    public static final String IPV4 = "IPv4";
    /** Node's family name of IPv6 addresses. */
    public static final String IPV6 = "IPv6";
    /** The family loomnet reports for Unix domain sockets (Node reports none). */
    public static final String UNIX = "Unix";

    /**
     * Checks the components.
     *
     * @param address the address text
     * @param family  the family name
     * @param port    the port
     */
    public AddressInfo {
        if (address == null || family == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE, "address and family must not be null");
        }
        if (port < 0 || port > 65535) {
            throw new NetException(NetException.ERR_SOCKET_BAD_PORT,
                    "Port should be >= 0 and < 65536. Received type number (" + port + ").");
        }
    }

    /**
     * Returns whether this is a Unix domain socket address.
     *
     * @return {@code true} for a Unix socket path
     */
    public boolean isUnix() {
        return UNIX.equals(family);
    }

    /**
     * Returns the Unix socket path.
     *
     * @return the path
     * @throws IllegalStateException if this is an IP address
     */
    public Path path() {
        if (!isUnix()) {
            throw new IllegalStateException("not a Unix socket address: " + this);
        }
        return Path.of(address);
    }
}
