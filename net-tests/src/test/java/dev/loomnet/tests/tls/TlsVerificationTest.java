package dev.loomnet.tests.tls;

import static dev.loomnet.tests.tls.TlsFixtures.PKI;
import static dev.loomnet.tests.tls.TlsFixtures.code;
import static dev.loomnet.tests.tls.TlsFixtures.connect;
import static dev.loomnet.tests.tls.TlsFixtures.serving;
import static dev.loomnet.tests.tls.TlsFixtures.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.NetException;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsClientErrorListener;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.testing.TestPki;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.tls.TlsFixtures.Log;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who is trusted: the client's verification of the server (on by default, Node's codes when it fails), client
 * certificates ({@code requestCert}, {@code rejectUnauthorized}), and a server's failed handshakes, which are
 * {@code TLS_CLIENT_ERROR} on the server while it carries on serving.
 */
class TlsVerificationTest {

    @TempDir
    Path dir;

    /** A server that records its secure connections (ending each) and its client errors. */
    private static final class Recorder {
        final List<TlsSocket> secure = new CopyOnWriteArrayList<>();
        final List<TlsClientErrorListener.Failure> failures = new CopyOnWriteArrayList<>();
        final List<String> socketEvents = new CopyOnWriteArrayList<>();
        final TlsServer server;

        Recorder(Path dir, TlsOptions options) {
            server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(), options, s -> {
                secure.add(s);
                s.on(Socket.DATA, s::write);
            });
            server.on(TlsServer.TLS_CLIENT_ERROR, (error, socket) -> {
                failures.add(new TlsClientErrorListener.Failure(error, socket));
                socket.on(Socket.ERROR, e -> socketEvents.add("error:" + code(e)));
                socket.on(Socket.CLOSE, hadError -> socketEvents.add("close:" + hadError));
            });
        }
    }

    /** Connects with {@code options} and returns the client's log once it closed. */
    private static Log outcome(TlsServer server, TlsOptions.Builder options) {
        TlsSocket client = Tls.connect(TlsFixtures.to(Transport.TCP4, server).build(), options.build());
        Log log = Log.of(client, true);
        client.on(TlsSocket.SECURE_CONNECT, () -> client.end("ping"));
        return log.awaitClosed();
    }

    private void assertRefused(TestPki.Identity served, String code, String message) {
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(),
                serving(served).build(), s -> s.on(Socket.DATA, s::write));
        Log log = outcome(server, TlsFixtures.clientOptions().servername("localhost"));
        assertEquals(List.of("connect", "ready", "error:" + code, "close:true"), log.events);
        assertEquals(message, log.error().getMessage());
        server.close();
    }

    @Test
    void a_server_certificate_from_an_untrusted_root_is_refused_by_default() {
        assertRefused(PKI.stranger, "SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain");
    }

    @Test
    void a_self_signed_server_certificate_is_refused_by_default() {
        assertRefused(PKI.selfSigned, "DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate");
    }

    @Test
    void an_expired_server_certificate_is_refused() {
        assertRefused(PKI.expired, "CERT_HAS_EXPIRED", "certificate has expired");
    }

    @Test
    void the_jdks_default_authorities_do_not_know_the_test_ca() {
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(),
                TlsOptions.builder().key(PKI.server.keyText()).cert(PKI.server.certText()).build(), s -> { });
        Log log = outcome(server, TlsOptions.builder().servername("localhost"));
        assertEquals(List.of("connect", "ready", "error:UNABLE_TO_VERIFY_LEAF_SIGNATURE", "close:true"), log.events);
        server.close();
    }

    @Test
    void a_wrong_host_name_is_err_tls_cert_altname_invalid() {
        Recorder r = new Recorder(dir, TlsFixtures.serverOptions().build());
        Log log = outcome(r.server, TlsFixtures.clientOptions().servername("wrong.example"));
        assertEquals(List.of("connect", "ready", "error:ERR_TLS_CERT_ALTNAME_INVALID", "close:true"), log.events);
        assertEquals("Hostname/IP does not match certificate's altnames: Host: wrong.example. is not in the cert's "
                + "altnames: DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1", log.error().getMessage());
        r.server.close();
    }

    @Test
    void the_ip_connected_to_is_the_name_checked_without_servername() {
        Recorder r = new Recorder(dir, serving(PKI.other).build());
        TlsSocket client = Tls.connect(r.server.address().port(), "127.0.0.1", TlsFixtures.clientOptions().build());
        Log log = Log.of(client, false).awaitClosed();
        assertEquals("ERR_TLS_CERT_ALTNAME_INVALID", code(log.error()));
        assertEquals("Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: ",
                log.error().getMessage());
        r.server.close();
    }

    @Test
    void without_reject_unauthorized_the_client_proceeds_and_reports_why() {
        Recorder r = new Recorder(dir, serving(PKI.stranger).build());
        TlsSocket client = connect(r.server, b -> b.rejectUnauthorized(false));
        Log log = Log.of(client, true);
        client.on(TlsSocket.SECURE_CONNECT, () -> client.end("ping"));
        log.awaitClosed();
        assertEquals("ping", log.text());
        assertFalse(client.authorized());
        assertEquals("SELF_SIGNED_CERT_IN_CHAIN", client.authorizationError());
        assertEquals(PKI.stranger.cert(), client.getPeerCertificate().get(0));
        r.server.close();
    }

    @Test
    void a_custom_check_server_identity_decides() {
        Recorder r = new Recorder(dir, TlsFixtures.serverOptions().build());
        Log log = outcome(r.server, TlsFixtures.clientOptions().servername("localhost")
                .checkServerIdentity((host, chain) -> new NetException("ERR_MINE", "no thanks " + host)));
        assertEquals(List.of("connect", "ready", "error:ERR_MINE", "close:true"), log.events);
        assertEquals("no thanks localhost", log.error().getMessage());
        r.server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void a_trusted_client_certificate_is_accepted(String version) {
        Recorder r = new Recorder(dir, TlsFixtures.serverOptions().requestCert(true).ca(PKI.ca.certText())
                .maxVersion(version).build());
        Log log = outcome(r.server, TlsFixtures.clientOptions().servername("localhost").key(PKI.client.keyText())
                .cert(PKI.client.certText()));
        assertEquals("ping", log.text());
        waitFor().until(() -> r.secure.size() == 1);
        TlsSocket s = r.secure.get(0);
        assertTrue(s.authorized());
        assertNull(s.authorizationError());
        assertEquals(PKI.client.cert(), s.getPeerCertificate().get(0));
        assertEquals(version, s.getProtocol());
        assertTrue(r.failures.isEmpty());
        r.server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void a_missing_client_certificate_is_refused_and_the_server_carries_on(String version) {
        Recorder r = new Recorder(dir, TlsFixtures.serverOptions().requestCert(true).rejectUnauthorized(true)
                .ca(PKI.ca.certText()).maxVersion(version).build());
        Log refused = outcome(r.server, TlsFixtures.clientOptions().servername("localhost"));
        waitFor().until(() -> r.failures.size() == 1);
        assertEquals("ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE", code(r.failures.get(0).error()));
        // the client hears the server's alert (TLS 1.3: after its own handshake finished, as with Node)
        assertTrue(refused.events.stream().anyMatch(e -> e.startsWith("error:ERR_SSL_")), refused.events::toString);
        waitFor().until(() -> r.socketEvents.contains("close:false"));
        assertEquals(List.of("close:false"), r.socketEvents, "destroyed without an ERROR of its own, as Node");
        assertTrue(r.secure.isEmpty());
        Log next = outcome(r.server, TlsFixtures.clientOptions().servername("localhost").key(PKI.client.keyText())
                .cert(PKI.client.certText()));
        assertEquals("ping", next.text(), "the server serves the next client");
        r.server.close();
    }

    @Test
    void an_untrusted_client_certificate_without_reject_unauthorized_is_reported() {
        Recorder r = new Recorder(dir, TlsFixtures.serverOptions().requestCert(true).rejectUnauthorized(false)
                .ca(PKI.ca.certText()).build());
        Log log = outcome(r.server, TlsFixtures.clientOptions().servername("localhost").key(PKI.selfSigned.keyText())
                .cert(PKI.selfSigned.certText()));
        assertEquals("ping", log.text());
        waitFor().until(() -> r.secure.size() == 1);
        assertFalse(r.secure.get(0).authorized());
        assertEquals("DEPTH_ZERO_SELF_SIGNED_CERT", r.secure.get(0).authorizationError());
        r.server.close();
    }

    @Test
    void plain_text_to_a_tls_server_is_a_client_error_and_the_server_carries_on() throws IOException {
        Recorder r = new Recorder(dir, TlsFixtures.serverOptions().build());
        try (SocketChannel raw = SocketChannel.open(new InetSocketAddress("127.0.0.1", r.server.address().port()))) {
            raw.write(ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            waitFor().until(() -> r.failures.size() == 1);
            assertEquals("ERR_SSL_HTTP_REQUEST", code(r.failures.get(0).error()));
            assertEquals(-1, readToEnd(raw), "the server closed the connection");
        }
        waitFor().until(() -> r.socketEvents.contains("close:false"));
        assertEquals(List.of("close:false"), r.socketEvents);
        assertEquals("ping", outcome(r.server, TlsFixtures.clientOptions().servername("localhost")).text());
        r.server.close();
    }

    @Test
    void a_silent_client_meets_the_handshake_timeout() throws IOException {
        Recorder r = new Recorder(dir, TlsFixtures.serverOptions().handshakeTimeout(Duration.ofMillis(300)).build());
        long start = System.nanoTime();
        try (SocketChannel raw = SocketChannel.open(new InetSocketAddress("127.0.0.1", r.server.address().port()))) {
            waitFor().until(() -> r.failures.size() == 1);
            long ms = (System.nanoTime() - start) / 1_000_000;
            NetException e = (NetException) r.failures.get(0).error();
            assertEquals("ERR_TLS_HANDSHAKE_TIMEOUT", e.code());
            assertEquals("TLS handshake timeout", e.getMessage());
            assertTrue(ms >= 250, ms + " ms");
            assertEquals(-1, readToEnd(raw));
        }
        waitFor().until(() -> r.socketEvents.contains("close:false"));
        assertEquals(List.of("close:false"), r.socketEvents);
        r.server.close();
    }

    @Test
    void a_client_leaving_during_the_handshake_is_econnreset_on_the_server() throws IOException {
        Recorder r = new Recorder(dir, TlsFixtures.serverOptions().build());
        try (SocketChannel raw = SocketChannel.open(new InetSocketAddress("127.0.0.1", r.server.address().port()))) {
            raw.shutdownOutput();
            waitFor().until(() -> r.failures.size() == 1);
            assertEquals(NetException.ECONNRESET, code(r.failures.get(0).error()));
            assertEquals(-1, readToEnd(raw));
        }
        r.server.close();
    }

    @Test
    void a_tls_client_to_a_plain_server_fails_with_nodes_code() {
        dev.loomnet.net.Server plain = dev.loomnet.net.Net.createServer(s -> {
            s.resume();                                   // reads the ClientHello away, so that EOF is seen
            s.end("hello there, plain text\n");
        });
        plain.listen(0, "127.0.0.1");
        TlsSocket client = Tls.connect(plain.address().port(), "127.0.0.1", TlsFixtures.clientOptions().build());
        Log log = Log.of(client, false).awaitClosed();
        assertEquals(List.of("connect", "ready", "error:ERR_SSL_WRONG_VERSION_NUMBER", "close:true"), log.events);
        plain.close();
    }

    @Test
    void a_server_without_key_fails_each_handshake() {
        Recorder r = new Recorder(dir, TlsOptions.builder().build());
        Log log = outcome(r.server, TlsFixtures.clientOptions().servername("localhost"));
        waitFor().until(() -> r.failures.size() == 1);
        assertTrue(log.events.stream().anyMatch(e -> e.startsWith("error:ERR_SSL_")), log.events::toString);
        r.server.close();
    }

    /** Reads until the server closed the connection: -1 (a reset counts as closed). */
    private static int readToEnd(SocketChannel raw) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        int n;
        try {
            do {
                b.clear();
                n = raw.read(b);
            } while (n > 0);
        } catch (IOException e) {
            n = -1;
        }
        return n;
    }
}
