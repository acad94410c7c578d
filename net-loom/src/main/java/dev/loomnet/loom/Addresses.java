package dev.loomnet.loom;

import dev.loomnet.net.internal.IpText;

import dev.loomnet.net.AddressInfo;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Addresses as Node prints them. Java prints IPv6 uncompressed ({@code 0:0:0:0:0:0:0:1}) and turns IPv4-mapped
 * IPv6 addresses into plain IPv4 ones; Node prints libuv's text ({@code ::1}, {@link IpText}) and keeps the
 * mapping ({@code ::ffff:127.0.0.1}, family {@code IPv6}) on sockets that are IPv6 underneath.
 */
final class Addresses {

    private Addresses() {
    }

    /**
     * Formats an IP address.
     *
     * @param address the address
     * @param v6Socket whether the socket is an IPv6 one, in which case an IPv4 address is shown mapped
     */
    static String text(InetAddress address, boolean v6Socket) {
        if (address instanceof Inet4Address) {
            String v4 = address.getHostAddress();
            return v6Socket ? "::ffff:" + v4 : v4;
        }
        Inet6Address v6 = (Inet6Address) address;
        String text = IpText.format(v6.getAddress());
        if (v6.getScopedInterface() != null) {
            return text + "%" + v6.getScopedInterface().getName();
        }
        return v6.getScopeId() != 0 ? text + "%" + v6.getScopeId() : text;
    }

    static String family(InetAddress address, boolean v6Socket) {
        return address instanceof Inet4Address && !v6Socket ? AddressInfo.IPV4 : AddressInfo.IPV6;
    }

    static @Nullable AddressInfo info(@Nullable SocketAddress address, boolean v6Socket) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return new AddressInfo(text(inet.getAddress(), v6Socket), family(inet.getAddress(), v6Socket),
                    inet.getPort());
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return new AddressInfo(unix.getPath().toString(), AddressInfo.UNIX, 0);
        }
        return null;
    }

    /** Node's {@code socket.address()}: the local address while connected, else null. */
    static @Nullable AddressInfo bound(Link link) {
        java.nio.channels.SocketChannel ch = link.channel();
        Lifecycle.Phase p = link.life.phase();
        return ch != null && ch.isOpen() && (p == Lifecycle.Phase.ESTABLISHED || p == Lifecycle.Phase.OPEN)
                ? local(link) : null;
    }

    static @Nullable String address(@Nullable AddressInfo info) {
        return info == null ? null : info.address();
    }

    /** The family of an IP address; null for none and for a Unix socket (Node: {@code undefined}). */
    static @Nullable String family(@Nullable AddressInfo info) {
        return info == null || info.isUnix() ? null : info.family();
    }

    /** The port; 0 for none (Node: {@code undefined}). */
    static int port(@Nullable AddressInfo info) {
        return info == null ? 0 : info.port();
    }

    /** A connection's local address, as Node shows it; null before it has one. */
    static @Nullable AddressInfo local(Link link) {
        return info(link.localAddress(), link.v6());
    }

    /**
     * A connection's peer address; an unnamed Unix peer (an accepted socket's client) is shown as the server's
     * path. Null while {@code connecting}: the connection thread may finish the handshake before the caller of
     * {@code connect()} even returns, but in Node the address appears only with the {@code connect} event.
     */
    static @Nullable AddressInfo remote(Link link, boolean connecting) {
        if (connecting) {
            return null;
        }
        AddressInfo r = info(link.remoteAddress(), link.v6());
        if (r != null && r.isUnix() && r.address().isEmpty()) {
            AddressInfo l = local(link);
            if (l != null) {
                return l;
            }
        }
        return r;
    }

    /** Whether {@code ch} is an IPv6 socket (IPv4 peers are then shown mapped). */
    static boolean isV6(java.nio.channels.SocketChannel ch) {
        try {
            return ch.getLocalAddress() instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet6Address;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Text of an address for error messages: {@code 127.0.0.1:80}, {@code ::1:80}, or a path. */
    static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() == null ? inet.getHostString() : text(inet.getAddress(), false);
            return inet.getPort() == 0 ? host : host + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return String.valueOf(address);
    }
}
