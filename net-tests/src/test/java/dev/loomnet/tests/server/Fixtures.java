package dev.loomnet.tests.server;

import static org.awaitility.Awaitility.await;

import dev.loomnet.net.ConnectionListener;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionFactory;

/**
 * Loopback fixtures shared by the server, addressing and lifetime tests: waiting, closing, an event trace and
 * the loopback addresses they use (127.0.0.1, 127.0.0.2, 127.0.0.3 and ::1; never any other address).
 */
public final class Fixtures {

    /** Upper bound of every wait. */
    public static final Duration WAIT = Duration.ofSeconds(10);
    public static final String V4 = "127.0.0.1";
    /** A second IPv4 loopback address (all of 127.0.0.0/8 is loopback on Linux). */
    public static final String V4_2 = "127.0.0.2";
    public static final String V4_3 = "127.0.0.3";
    public static final String V6 = "::1";

    private Fixtures() {
    }

    /** Awaitility with a short poll interval. */
    public static ConditionFactory waiting() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    /** Closes the server and waits for its close callback. */
    public static void closeAndWait(Server server) {
        AtomicBoolean closed = new AtomicBoolean();
        server.close(e -> closed.set(true));
        waiting().untilTrue(closed);
    }

    /** Destroys every socket (the test extension then waits for their close). */
    public static void destroyAll(List<Socket> sockets) {
        sockets.forEach(Socket::destroy);
    }

    /**
     * A connection listener that resumes each accepted socket (so that it reads and sees its peer's end) and
     * collects it.
     */
    public static ConnectionListener collect(List<Socket> accepted) {
        return socket -> {
            socket.resume();
            accepted.add(socket);
        };
    }

    /** Node's code of an error, or the class name of a non-Node exception. */
    public static String code(Throwable e) {
        return e instanceof NetException ne ? ne.code() : e.getClass().getSimpleName();
    }

    /** Whether {@code ::1} can be bound here; IPv6 tests are skipped with an assumption otherwise. */
    public static boolean ipv6Loopback() {
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            ch.bind(new InetSocketAddress(InetAddress.getByName(V6), 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Records a socket's events as short strings, for order assertions: {@code lookup:ip/family/host},
     * {@code lookup-error:CODE/host}, {@code attempt:ip:port/family}, {@code failed:ip:port/family:CODE},
     * {@code attempt-timeout:ip:port/family}, {@code connect}, {@code ready}, {@code end}, {@code timeout},
     * {@code error:CODE}, {@code close:hadError}. Attach before connecting. It resumes the socket, so that the
     * socket reads and sees the peer's end (a socket with no data listener that was never resumed reads
     * nothing, as a Node stream).
     */
    public static final class Trace {
        public final List<String> events = new CopyOnWriteArrayList<>();
        public final List<Throwable> errors = new CopyOnWriteArrayList<>();

        public static Trace of(Socket socket) {
            Trace t = new Trace();
            socket.resume();
            socket.on(Socket.LOOKUP, (error, address, family, host) -> t.events.add(error == null
                            ? "lookup:" + address + "/" + family + "/" + host
                            : "lookup-error:" + code(error) + "/" + host))
                    .on(Socket.CONNECTION_ATTEMPT, (ip, port, family, e) -> t.events.add(
                            "attempt:" + ip + ":" + port + "/" + family))
                    .on(Socket.CONNECTION_ATTEMPT_FAILED, (ip, port, family, e) -> t.events.add(
                            "failed:" + ip + ":" + port + "/" + family + ":" + code(e)))
                    .on(Socket.CONNECTION_ATTEMPT_TIMEOUT, (ip, port, family, e) -> t.events.add(
                            "attempt-timeout:" + ip + ":" + port + "/" + family))
                    .on(Socket.CONNECT, () -> t.events.add("connect"))
                    .on(Socket.READY, () -> t.events.add("ready"))
                    .on(Socket.END, () -> t.events.add("end"))
                    .on(Socket.TIMEOUT, () -> t.events.add("timeout"))
                    .on(Socket.ERROR, e -> {
                        t.errors.add(e);
                        t.events.add("error:" + code(e));
                    })
                    .on(Socket.CLOSE, hadError -> t.events.add("close:" + hadError));
            return t;
        }

        public boolean closed() {
            return events.stream().anyMatch(e -> e.startsWith("close:"));
        }

        public boolean has(String event) {
            return events.contains(event);
        }

        public Trace awaitClosed() {
            waiting().until(this::closed);
            return this;
        }

        public Trace await(String event) {
            waiting().until(() -> events.contains(event));
            return this;
        }

        @Override
        public String toString() {
            return events.toString();
        }
    }
}
