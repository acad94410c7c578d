package dev.loomnet.tests.tls;

import static dev.loomnet.tests.tls.TlsFixtures.PKI;
import static dev.loomnet.tests.tls.TlsFixtures.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.NetException;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSession;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.testing.OpensslPeer;
import dev.loomnet.testing.PeerProcess;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.tls.TlsFixtures.Log;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * loomnet's public TLS API against {@code openssl s_server} and {@code s_client} ({@code -quiet}: the peer's
 * stdin is sent, what it receives is its stdout), both directions: 32 MiB each way at once with SHA-256 equal,
 * TLS 1.2 and 1.3, ALPN, SNI, client certificates accepted and refused, resumption, close_notify as {@code END}.
 * Skipped, with the reason, without {@code openssl} on the {@code PATH}.
 */
class TlsOpensslInteropTest {

    private static final int MIB = 1 << 20;
    private static final int OUR_SEED = 7;
    private static Optional<Path> openssl = Optional.empty();

    @TempDir
    Path dir;

    @BeforeAll
    static void opensslIsInstalled() {
        openssl = OpensslPeer.find();
        assumeTrue(openssl.isPresent(), "openssl is not on the PATH: the TLS interop tests with OpenSSL are skipped");
    }

    private static OpensslPeer sServer(int port, int total, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("s_server", "-accept", "127.0.0.1:" + port, "-quiet",
                "-cert", PKI.server.certPem().toString(), "-key", PKI.server.keyPem().toString()));
        args.addAll(List.of(extra));
        return OpensslPeer.start(openssl.orElseThrow(), args, total);
    }

    private static OpensslPeer sClient(int port, int total, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + port, "-quiet",
                "-nocommands", "-CAfile", PKI.ca.certPem().toString(), "-verify_return_error"));
        args.addAll(List.of(extra));
        return OpensslPeer.start(openssl.orElseThrow(), args, total);
    }

    /** A connected client that hashes what it receives. */
    private record Client(TlsSocket socket, Log log, MessageDigest received) {
    }

    /**
     * Connects to {@code s_server} once it listens (it says nothing when it is ready, and a probe would use up one
     * of its {@code -naccept} connections): a refused connection is tried again, for at most 30 s.
     */
    private static Client connect(OpensslPeer peer, int port, TlsOptions options) throws InterruptedException {
        long deadline = System.nanoTime() + PeerProcess.WAIT.toNanos();
        while (true) {
            TlsSocket socket = Tls.connect(ConnectOptions.builder().port(port).host("127.0.0.1").build(), options);
            MessageDigest received = OpensslPeer.sha256();
            Log log = Log.of(socket, false);
            socket.on(Socket.DATA, chunk -> {
                received.update(chunk);
                log.add(chunk);
            });
            waitFor().until(() -> log.events.contains("secureConnect") || log.closed());
            if (log.events.contains("secureConnect")
                    || !log.events.contains("error:" + NetException.ECONNREFUSED)) {
                return new Client(socket, log, received);
            }
            assertTrue(peer.alive() && System.nanoTime() < deadline, "s_server is not listening: " + peer.err);
            Thread.sleep(20);                             // s_server is starting: try again shortly
        }
    }

    /** Sends {@link #OUR_SEED}'s {@code total} bytes through the blocking stream, which follows backpressure. */
    private static Thread send(TlsSocket socket, int total) {
        return Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = socket.outputStream();     // not closed: that would end the socket
                OpensslPeer.stream(OUR_SEED, total, out::write);
                out.flush();
            } catch (IOException e) {
                socket.destroy(e);
            }
        });
    }

    private static void assertPeerGot(OpensslPeer peer, int total) {
        waitFor().until(() -> peer.outCount >= total || !peer.alive());
        assertEquals(total, peer.outCount, peer.err::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void loomnet_client_to_s_server_32_mib_each_way(String version) throws Exception {
        int port = OpensslPeer.freePort();
        try (OpensslPeer peer = sServer(port, 32 * MIB, "-naccept", "1")) {
            Client c = connect(peer, port, TlsFixtures.clientOptions().servername("localhost").maxVersion(version)
                    .build());
            assertEquals(version, c.socket().getProtocol());
            Thread sender = send(c.socket(), 32 * MIB);
            waitFor().until(() -> c.log().size() >= 32 * MIB || c.log().closed());
            sender.join(PeerProcess.WAIT);
            peer.feeder.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(peer.fed.digest(), c.received().digest(), "SHA-256 of what s_server sent");
            assertPeerGot(peer, 32 * MIB);
            c.socket().end();                             // s_server leaves at our close_notify
            c.log().awaitClosed();
            assertTrue(c.log().events.contains("end"), c.log().events::toString);
            peer.reader.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(OpensslPeer.sha256Of(OUR_SEED, 32 * MIB), peer.out.digest(),
                    "SHA-256 of what s_server received");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void s_client_to_loomnet_server_32_mib_each_way(String version) throws Exception {
        List<TlsSocket> accepted = new CopyOnWriteArrayList<>();
        MessageDigest received = OpensslPeer.sha256();
        Log log = new Log();
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().allowHalfOpen(true).build(),
                TlsFixtures.serverOptions().build(), s -> {
                    accepted.add(s);
                    s.on(Socket.DATA, chunk -> {
                        received.update(chunk);
                        log.add(chunk);
                    });
                    s.on(Socket.CLOSE, h -> log.events.add("close:" + h));
                    send(s, 32 * MIB);
                });
        try (OpensslPeer peer = sClient(server.address().port(), 32 * MIB, "-servername", "localhost", version)) {
            waitFor().until(() -> log.size() >= 32 * MIB || !peer.alive());
            peer.feeder.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(peer.fed.digest(), received.digest(), "SHA-256 of what s_client sent");
            assertPeerGot(peer, 32 * MIB);
            assertEquals(version.equals("-tls1_2") ? "TLSv1.2" : "TLSv1.3", accepted.get(0).getProtocol());
            accepted.get(0).end();                        // s_client leaves at our close_notify
            peer.reader.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(OpensslPeer.sha256Of(OUR_SEED, 32 * MIB), peer.out.digest(),
                    "SHA-256 of what s_client received");
            waitFor().until(() -> log.events.contains("close:false") || log.events.contains("close:true"));
        }
        server.close();
    }

    @Test
    void alpn_sni_and_client_certificates_with_s_server() throws Exception {
        int port = OpensslPeer.freePort();
        // s_server sets its ALPN choice on the default context only: SNI is checked on a second connection
        try (OpensslPeer peer = sServer(port, 5, "-naccept", "2", "-alpn", "http/1.1", "-Verify", "1",
                "-CAfile", PKI.ca.certPem().toString(), "-servername", "other.test",
                "-cert2", PKI.other.certPem().toString(), "-key2", PKI.other.keyPem().toString())) {
            Client first = connect(peer, port, TlsFixtures.clientOptions().servername("localhost")
                    .alpnProtocols("h2", "http/1.1").key(PKI.client.keyText()).cert(PKI.client.certText()).build());
            assertEquals("http/1.1", first.socket().alpnProtocol());
            assertEquals(PKI.server.cert(), first.socket().getPeerCertificate().get(0));
            first.socket().write("hi!\n");
            waitFor().until(() -> first.log().size() == 5 || first.log().closed());   // s_server accepted us
            assertPeerGot(peer, 4);
            first.socket().end();
            first.log().awaitClosed();
            Client second = connect(peer, port, TlsFixtures.clientOptions().servername("other.test")
                    .key(PKI.client.keyText()).cert(PKI.client.certText()).build());
            assertEquals(PKI.other.cert(), second.socket().getPeerCertificate().get(0), "s_server's SNI certificate");
            assertEquals("other.test", second.socket().servername());
            second.socket().end();
            second.log().awaitClosed();
        }
    }

    @Test
    void s_server_refuses_a_client_without_certificate() throws Exception {
        int port = OpensslPeer.freePort();
        try (OpensslPeer peer = sServer(port, 0, "-naccept", "1", "-Verify", "1", "-CAfile",
                PKI.ca.certPem().toString())) {
            Client c = connect(peer, port, TlsFixtures.clientOptions().servername("localhost").build());
            c.log().awaitClosed();
            assertTrue(c.log().events.contains("error:ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"),
                    c.log().events::toString);
        }
    }

    @Test
    void alpn_sni_and_client_certificates_with_s_client() throws Exception {
        List<TlsSocket> accepted = new CopyOnWriteArrayList<>();
        Log log = new Log();
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(),
                TlsFixtures.serverOptions().alpnProtocols("http/1.1").requestCert(true).ca(PKI.ca.certText()).build(),
                s -> {
                    accepted.add(s);
                    s.on(Socket.DATA, log::add);
                });
        server.addContext("other.test", TlsFixtures.serving(PKI.other).build());
        try (OpensslPeer peer = sClient(server.address().port(), 3, "-servername", "other.test", "-alpn",
                "h2,http/1.1", "-cert", PKI.client.certPem().toString(), "-key", PKI.client.keyPem().toString())) {
            waitFor().until(() -> log.size() == 3 || !peer.alive());
            TlsSocket s = accepted.get(0);
            assertEquals("http/1.1", s.alpnProtocol());
            assertEquals("other.test", s.servername());
            assertTrue(s.authorized(), "s_client's certificate verified");
            s.end();
            peer.reader.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        server.close();
    }

    @Test
    void s_client_without_certificate_is_refused_by_loomnet() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(),
                TlsFixtures.serverOptions().requestCert(true).ca(PKI.ca.certText()).build(), s -> { });
        server.on(TlsServer.TLS_CLIENT_ERROR, (e, s) -> failures.add(e));
        try (OpensslPeer peer = sClient(server.address().port(), 0, "-servername", "localhost")) {
            waitFor().until(() -> failures.size() == 1);
            assertEquals("ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE", TlsFixtures.code(failures.get(0)));
            peer.reader.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(peer.process.waitFor(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(peer.process.exitValue() != 0, "s_client failed: " + peer.err);
        }
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void resumption_with_s_server(String version) throws Exception {
        int port = OpensslPeer.freePort();
        try (OpensslPeer peer = sServer(port, 0, "-naccept", "2")) {
            List<Boolean> reused = new ArrayList<>();
            TlsSession session = null;
            for (int i = 0; i < 2; i++) {
                TlsOptions.Builder b = TlsFixtures.clientOptions().servername("localhost").maxVersion(version);
                if (session != null) {
                    b.session(session);
                }
                Client c = connect(peer, port, b.build());
                reused.add(c.socket().isSessionReused());
                session = c.socket().getSession();
                c.socket().end();                         // s_server closes at our close_notify
                c.log().awaitClosed();
            }
            assertEquals(List.of(false, true), reused);
        }
    }
}
