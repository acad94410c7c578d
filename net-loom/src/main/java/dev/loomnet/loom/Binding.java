package dev.loomnet.loom;

import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.NetException;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The bind half of {@code server.listen}: which address {@link ListenOptions} mean, a server channel bound to
 * it, and Node's error when that fails.
 */
final class Binding {

    private Binding() {
    }

    /**
     * The TCP address to bind: {@code ::} (dual stack; {@code 0.0.0.0} without IPv6) when there is no host,
     * else the host's first address that is not IPv6 link-local, as in Node. May resolve a host name.
     */
    static InetSocketAddress address(ListenOptions options) throws IOException {
        if (options.host() == null) {
            if (ipv6Available()) {
                return new InetSocketAddress(InetAddress.getByName("::"), options.port());
            }
            return new InetSocketAddress(InetAddress.getByName("0.0.0.0"), options.port());
        }
        InetAddress[] all = InetAddress.getAllByName(options.host());
        InetAddress pick = all[0];
        for (InetAddress a : all) {
            if (!a.isLinkLocalAddress()) {
                pick = a;
                break;
            }
        }
        return new InetSocketAddress(pick, options.port());
    }

    private static boolean ipv6Available() {
        try {
            ServerSocketChannel.open(StandardProtocolFamily.INET6).close();
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A TCP server channel bound to {@code bound}, with {@code SO_REUSEADDR} as libuv sets it. */
    static ServerSocketChannel inet(InetSocketAddress bound, ListenOptions options) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(bound.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (options.reusePort()) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            ch.bind(bound, options.backlog());
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** A Unix domain server channel bound to the options' path, which it creates, with the permissions asked. */
    static ServerSocketChannel path(ListenOptions options) throws IOException {
        Path path = options.path();
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path), options.backlog());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (options.readableAll() || options.writableAll()) {
            try {
                Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(path));
                if (options.readableAll()) {
                    perms.addAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ));
                }
                if (options.writableAll()) {
                    perms.addAll(Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
                }
                Files.setPosixFilePermissions(path, perms);
            } catch (IOException | RuntimeException e) {
                ch.close();                               // the listen failed: leave no socket file behind
                Files.deleteIfExists(path);
                throw e;
            }
        }
        return ch;
    }

    /** Node's error for a listen that failed with {@code e}: the lookup's, or the bind's. */
    static NetException error(IOException e, ListenOptions options) {
        if (e instanceof java.net.UnknownHostException && options.host() != null) {
            return Errors.lookup(e, options.host());     // Node: getaddrinfo failed before any listen
        }
        if (options.isPath()) {
            return Errors.listen(e, Objects.requireNonNull(options.path()).toString(), 0);
        }
        String host = options.host() == null ? "::" : options.host();
        return Errors.listen(e, host, options.port());
    }
}
