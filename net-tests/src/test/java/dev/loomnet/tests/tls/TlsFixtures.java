package dev.loomnet.tests.tls;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsConnectionListener;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.testing.TestPki;
import dev.loomnet.testing.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * What the TLS tests share: the run-time PKI, options for a server and a client that trusts it, a server
 * listening on a {@link Transport}, an event recorder and fast waits.
 */
final class TlsFixtures {

    static final TestPki PKI = TestPki.get();
    static final Duration WAIT = Duration.ofSeconds(30);

    private TlsFixtures() {
    }

    /** Awaitility with a 30 s ceiling and 2 ms polling. */
    static ConditionFactory waitFor() {
        return Awaitility.await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    /** A condition that must hold without a break for {@code millis}. */
    static ConditionFactory holdsFor(long millis) {
        return Awaitility.await().during(Duration.ofMillis(millis)).atMost(Duration.ofMillis(millis).plusSeconds(30))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    /** A server's options serving {@code id}'s key and chain. */
    static TlsOptions.Builder serving(TestPki.Identity id) {
        return TlsOptions.builder().key(id.keyText()).cert(id.chainText());
    }

    /** A server's options serving {@code localhost} ({@link TestPki#server}). */
    static TlsOptions.Builder serverOptions() {
        return serving(PKI.server);
    }

    /** A client's options trusting the test CA only. */
    static TlsOptions.Builder clientOptions() {
        return TlsOptions.builder().ca(PKI.ca.certText());
    }

    /** A TLS server with {@code options}, listening on {@code transport}. */
    static TlsServer listen(Transport transport, Path dir, ServerOptions serverOptions, TlsOptions options,
                            TlsConnectionListener onSecure) {
        TlsServer server = Tls.createServer(serverOptions, options, onSecure);
        transport.listen(server, dir);
        return server;
    }

    /** An echo server on 127.0.0.1 with {@code options}, adding each secured socket to {@code accepted}. */
    static TlsServer echoKeeping(Path dir, TlsOptions options, List<TlsSocket> accepted) {
        return listen(Transport.TCP4, dir, ServerOptions.builder().build(), options, s -> {
            accepted.add(s);
            s.on(Socket.DATA, s::write);
        });
    }

    /** An echo server ({@code allowHalfOpen} false: the peer's end ends it) on {@code transport}. */
    static TlsServer echo(Transport transport, Path dir) {
        return listen(transport, dir, ServerOptions.builder().build(), serverOptions().build(),
                s -> s.on(Socket.DATA, s::write));
    }

    /**
     * Connect options for {@code server} on {@code transport}; over TCP the host is the loopback IP, so the
     * client names {@code localhost} as its SNI name (and host to verify) unless the test says otherwise.
     */
    static ConnectOptions.Builder to(Transport transport, Server server) {
        return transport.connectOptions(server);
    }

    /** Connects to {@code server} as {@code localhost}, trusting the test CA, with {@code more} applied. */
    static TlsSocket connect(Transport transport, Server server, UnaryOperator<TlsOptions.Builder> more) {
        return Tls.connect(to(transport, server).build(), more.apply(clientOptions().servername("localhost")).build());
    }

    /** Connects to {@code server} on 127.0.0.1 as {@code localhost}, trusting the test CA. */
    static TlsSocket connect(Server server, UnaryOperator<TlsOptions.Builder> more) {
        return connect(Transport.TCP4, server, more);
    }

    static String code(Throwable e) {
        return e instanceof NetException n ? n.code() : e.getClass().getSimpleName();
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A socket's events as short strings ({@code connect}, {@code ready}, {@code secureConnect}, {@code end},
     * {@code finish}, {@code error:CODE}, {@code close:false}, {@code data} when asked) and the bytes it got.
     */
    static final class Log {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();

        static Log of(Socket socket, boolean data) {
            Log log = new Log();
            socket.on(Socket.CONNECT, () -> log.events.add("connect"))
                    .on(Socket.READY, () -> log.events.add("ready"))
                    .on(Socket.END, () -> log.events.add("end"))
                    .on(Socket.FINISH, () -> log.events.add("finish"))
                    .on(Socket.ERROR, e -> {
                        log.errors.add(e);
                        log.events.add("error:" + code(e));
                    })
                    .on(Socket.CLOSE, hadError -> log.events.add("close:" + hadError));
            if (socket instanceof TlsSocket) {
                socket.on(TlsSocket.SECURE_CONNECT, () -> log.events.add("secureConnect"));
            }
            if (data) {
                socket.on(Socket.DATA, chunk -> {
                    log.add(chunk);
                    if (log.events.isEmpty() || !log.events.get(log.events.size() - 1).equals("data")) {
                        log.events.add("data");
                    }
                });
            }
            return log;
        }

        void add(byte[] chunk) {
            synchronized (received) {
                received.write(chunk, 0, chunk.length);
            }
        }

        int size() {
            synchronized (received) {
                return received.size();
            }
        }

        byte[] received() {
            synchronized (received) {
                return received.toByteArray();
            }
        }

        String text() {
            return new String(received(), java.nio.charset.StandardCharsets.UTF_8);
        }

        boolean closed() {
            return events.stream().anyMatch(e -> e.startsWith("close:"));
        }

        Log awaitClosed() {
            waitFor().until(this::closed);
            return this;
        }

        Throwable error() {
            return errors.get(0);
        }
    }
}
