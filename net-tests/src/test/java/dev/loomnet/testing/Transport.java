package dev.loomnet.testing;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * The transports a test about the transport runs over, from one test body (the idea of Netty's
 * {@code SocketTestPermutation}): TCP on 127.0.0.1, TCP on ::1, and a Unix domain socket whose file is in the
 * test's JUnit {@code @TempDir}. A test takes the transport as its parameter and lets it listen and connect:
 * <pre>{@code
 * @TempDir Path dir;
 *
 * @ParameterizedTest
 * @EnumSource(Transport.class)
 * void bytes_arrive(Transport transport) {
 *     Server server = transport.listen(Net.createServer(s -> s.on(Socket.DATA, s::write)), dir);
 *     Socket client = Net.socket();
 *     transport.connect(client, server, () -> client.end("hello"));
 *     ...
 * }
 * }</pre>
 * {@link #TCP6} is skipped, with an assumption that says why, on a machine without an IPv6 loopback; the check is
 * made by {@link #listen}, so listen before opening anything else. Where a behaviour legitimately differs per
 * transport (addresses, families, ports) assert {@link #peerAddress}, {@link #family} and {@link #peerPort}.
 * A test that needs a lookup (there is none for a socket file) or a TCP reset runs over
 * {@code @EnumSource(value = Transport.class, names = {"TCP4", "TCP6"})}.
 */
public enum Transport {
    /** TCP on 127.0.0.1, an ephemeral port. */
    TCP4("127.0.0.1", AddressInfo.IPV4),
    /** TCP on ::1, an ephemeral port; skipped where ::1 cannot be bound. */
    TCP6("::1", AddressInfo.IPV6),
    /** A Unix domain socket, its file in the test's temporary directory. */
    UNIX(null, null);

    /** Socket file names, unique in the JVM so that tests with several servers need not name them. */
    private static final AtomicInteger FILES = new AtomicInteger();
    private static volatile @Nullable Boolean ipv6Loopback;

    private final @Nullable String host;
    private final @Nullable String family;

    Transport(@Nullable String host, @Nullable String family) {
        this.host = host;
        this.family = family;
    }

    /**
     * Makes {@code server} listen on this transport: an ephemeral port of the loopback address, or a new socket
     * file in {@code dir}. Skips the test on {@link #TCP6} where ::1 cannot be bound.
     *
     * @param server a server that does not listen yet
     * @param dir    the test's {@code @TempDir} (used by {@link #UNIX} only)
     * @return the server, listening ({@code address()} is valid)
     */
    public Server listen(Server server, Path dir) {
        if (this == TCP6) {
            Assumptions.assumeTrue(ipv6Loopback(), "no IPv6 loopback here (::1 cannot be bound): TCP6 skipped");
        }
        return host == null
                ? server.listen(dir.resolve("loomnet-" + FILES.incrementAndGet() + ".sock"))
                : server.listen(0, host);
    }

    /**
     * Connects {@code socket} to {@code server}, which listens on this transport.
     *
     * @return the socket
     */
    public Socket connect(Socket socket, Server server) {
        return host == null ? socket.connect(path(server)) : socket.connect(port(server), host);
    }

    /**
     * Connects {@code socket} to {@code server}, which listens on this transport, with a {@code CONNECT} listener.
     *
     * @return the socket
     */
    public Socket connect(Socket socket, Server server, Listener connectListener) {
        return host == null
                ? socket.connect(path(server), connectListener)
                : socket.connect(port(server), host, connectListener);
    }

    /**
     * Connect options for {@code server}, which listens on this transport: its port and host, or its path.
     *
     * @return a builder to add options to
     */
    public ConnectOptions.Builder connectOptions(Server server) {
        return host == null
                ? ConnectOptions.builder().path(path(server))
                : ConnectOptions.builder().port(port(server)).host(host);
    }

    /**
     * Connects {@code socket} to {@code server} through a lookup that answers this transport's address only once
     * {@code release} is counted down: until then the socket is surely connecting, as it is in Node until the next
     * tick. TCP only: a socket file has no lookup.
     *
     * @return the socket
     */
    public Socket connectHeld(Socket socket, Server server, CountDownLatch release) {
        return connectHeld(socket, port(server), release);
    }

    /**
     * {@link #connectHeld(Socket, Server, CountDownLatch)} to {@code port} of this transport's loopback address (a
     * port nothing listens on, say). TCP only.
     *
     * @return the socket
     */
    public Socket connectHeld(Socket socket, int port, CountDownLatch release) {
        String ip = tcpHost("a lookup");
        int ipFamily = this == TCP6 ? 6 : 4;
        return socket.connect(ConnectOptions.builder().host("held.test").port(port)
                .lookup((name, wanted) -> {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("the test never released the lookup");
                    }
                    return List.of(new Lookup.Address(ip, ipFamily));
                }).build());
    }

    /** The loopback address of this TCP transport ({@code 127.0.0.1}, {@code ::1}); null for {@link #UNIX}. */
    public @Nullable String host() {
        return host;
    }

    /**
     * What a connected socket reports as its peer's family ({@code remoteFamily()}) and its own
     * ({@code localFamily()}): {@code IPv4}, {@code IPv6}, or null on a Unix socket (Node: {@code undefined}).
     */
    public @Nullable String family() {
        return family;
    }

    /**
     * What a client connected to {@code server} reports as {@code remoteAddress()}: the loopback address, or the
     * socket file's path.
     */
    public String peerAddress(Server server) {
        return host == null ? path(server).toString() : host;
    }

    /** What a client connected to {@code server} reports as {@code remotePort()}: the port, or 0 on a Unix socket. */
    public int peerPort(Server server) {
        return host == null ? 0 : port(server);
    }

    private String tcpHost(String what) {
        if (host == null) {
            throw new IllegalStateException(what + " needs TCP; this test cannot run over " + this);
        }
        return host;
    }

    private static AddressInfo bound(Server server) {
        return Objects.requireNonNull(server.address(), "the server does not listen");
    }

    private static int port(Server server) {
        return bound(server).port();
    }

    private static Path path(Server server) {
        return Objects.requireNonNull(bound(server).path(), "the server does not listen on a socket file");
    }

    /** Whether {@code ::1} can be bound here (checked once). */
    public static boolean ipv6Loopback() {
        Boolean known = ipv6Loopback;
        if (known == null) {
            try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
                ch.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
                known = true;
            } catch (IOException | UnsupportedOperationException e) {
                known = false;
            }
            ipv6Loopback = known;
        }
        return known;
    }
}
