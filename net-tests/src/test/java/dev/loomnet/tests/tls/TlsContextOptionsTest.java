package dev.loomnet.tests.tls;

import static dev.loomnet.tests.tls.TlsFixtures.PKI;
import static dev.loomnet.tests.tls.TlsFixtures.connect;
import static dev.loomnet.tests.tls.TlsFixtures.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.NetException;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.testing.OpensslPeer;
import dev.loomnet.testing.TestPki;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.tls.TlsFixtures.Log;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.ExtendedSSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node's secure context options beyond keys and trust, over real sockets: {@code ciphers},
 * {@code honorCipherOrder}, {@code ecdhCurve}, {@code sigalgs}, {@code sessionTimeout}, {@code crl} (and
 * {@code setSecureContext} replacing them), {@code getCertificate()}, {@code tls.getCiphers()} and
 * {@code tls.rootCertificates}; what the JDK does not show is read from {@code openssl s_client} (skipped without
 * it); every bad value fails at its call with Node's code.
 */
class TlsContextOptionsTest {

    private static final String AES128 = "ECDHE-ECDSA-AES128-GCM-SHA256";
    private static final String AES256 = "ECDHE-ECDSA-AES256-GCM-SHA384";

    @TempDir
    Path dir;

    private final List<TlsSocket> accepted = new CopyOnWriteArrayList<>();

    private TlsServer server(TlsOptions options) {
        return TlsFixtures.echoKeeping(dir, options, accepted);
    }

    /** Connects and waits for the handshake's end; returns the client, open, or closed with its error. */
    private static TlsSocket handshake(TlsServer server, UnaryOperator<TlsOptions.Builder> more, Log[] log) {
        TlsSocket client = connect(server, more);
        log[0] = Log.of(client, false);
        waitFor().until(() -> log[0].events.contains("secureConnect") || log[0].closed());
        return client;
    }

    private static TlsSocket open(TlsServer server, UnaryOperator<TlsOptions.Builder> more) {
        Log[] log = new Log[1];
        TlsSocket client = handshake(server, more, log);
        assertTrue(log[0].errors.isEmpty(), log[0].events::toString);
        return client;
    }

    private static String failure(TlsServer server, UnaryOperator<TlsOptions.Builder> more) {
        Log[] log = new Log[1];
        handshake(server, more, log);
        log[0].awaitClosed();
        assertFalse(log[0].errors.isEmpty(), log[0].events::toString);
        return TlsFixtures.code(log[0].error());
    }

    private static void close(TlsSocket client) {
        Log log = Log.of(client, false);
        client.end();
        log.awaitClosed();
    }

    @Test
    void ciphers_choose_the_suite_by_openssl_names_and_tls13_names() {
        TlsServer server = server(TlsFixtures.serverOptions().ciphers("FOO:" + AES256).maxVersion("TLSv1.2").build());
        TlsSocket client = open(server, b -> b);
        assertEquals(AES256, client.getCipher().name(), "unknown words are ignored, as OpenSSL's");
        close(client);
        TlsServer tls13 = server(TlsFixtures.serverOptions().ciphers("TLS_CHACHA20_POLY1305_SHA256").build());
        TlsSocket chacha = open(tls13, b -> b);
        assertEquals("TLS_CHACHA20_POLY1305_SHA256", chacha.getCipher().name());
        close(chacha);
        server.close();
        tls13.close();
    }

    @Test
    void keywords_exclusions_and_no_common_suite() {
        TlsServer server = server(TlsFixtures.serverOptions().ciphers("ECDHE+AESGCM:!AES128").maxVersion("TLSv1.2")
                .build());
        TlsSocket client = open(server, b -> b);
        assertEquals(AES256, client.getCipher().name());
        close(client);
        assertTrue(failure(server, b -> b.ciphers(AES128)).startsWith("ERR_SSL_"), "no suite in common");
        server.close();
    }

    @Test
    void honor_cipher_order_picks_the_servers_choice_by_default_and_the_clients_without_it() {
        String serverOrder = AES256 + ":" + AES128;
        String clientOrder = AES128 + ":" + AES256;
        TlsServer honoring = server(TlsFixtures.serverOptions().ciphers(serverOrder).maxVersion("TLSv1.2").build());
        TlsSocket a = open(honoring, b -> b.ciphers(clientOrder));
        assertEquals(AES256, a.getCipher().name());
        close(a);
        TlsServer not = server(TlsFixtures.serverOptions().ciphers(serverOrder).honorCipherOrder(false)
                .maxVersion("TLSv1.2").build());
        TlsSocket b2 = open(not, b -> b.ciphers(clientOrder));
        assertEquals(AES128, b2.getCipher().name());
        close(b2);
        honoring.close();
        not.close();
    }

    @Test
    void ecdh_curve_without_a_common_group_fails_and_with_one_succeeds() {
        TlsServer server = server(TlsFixtures.serverOptions().ecdhCurve("P-384").build());
        TlsSocket client = open(server, b -> b.ecdhCurve("X25519:secp384r1"));
        close(client);
        assertTrue(failure(server, b -> b.ecdhCurve("X25519:prime256v1")).startsWith("ERR_SSL_"));
        server.close();
    }

    @Test
    void sigalgs_are_what_the_client_offers() {
        TlsServer server = server(TlsFixtures.serverOptions().build());
        TlsSocket client = open(server, b -> b.sigalgs("ECDSA+SHA256:rsa_pss_rsae_sha256"));
        waitFor().until(() -> accepted.size() == 1);
        ExtendedSSLSession session = (ExtendedSSLSession) accepted.get(0).getSession().sslSession();
        assertEquals(List.of("SHA256withECDSA", "RSASSA-PSS"),                    // the JDK's names
                List.of(session.getPeerSupportedSignatureAlgorithms()));
        close(client);
        assertTrue(failure(server, b -> b.sigalgs("RSA-PSS+SHA256")).startsWith("ERR_SSL_"),
                "the server's EC key cannot sign with RSA-PSS");
        server.close();
    }

    @Test
    void session_timeout_is_the_server_session_lifetime_and_set_secure_context_replaces_it() {
        TlsServer server = server(TlsFixtures.serverOptions().build());
        TlsSocket client = open(server, b -> b);
        waitFor().until(() -> accepted.size() == 1);
        assertEquals(300, accepted.get(0).getSession().sslSession().getSessionContext().getSessionTimeout(),
                "Node's default");
        close(client);
        server.setSecureContext(TlsFixtures.serverOptions().sessionTimeout(Duration.ofSeconds(7)).build());
        TlsSocket second = open(server, b -> b);
        waitFor().until(() -> accepted.size() == 2);
        assertEquals(7, accepted.get(1).getSession().sslSession().getSessionContext().getSessionTimeout());
        close(second);
        server.close();
    }

    @Test
    void a_revoked_server_certificate_is_cert_revoked_and_a_listed_issuer_is_needed() throws Exception {
        TlsServer server = server(TlsFixtures.serverOptions().build());
        String revoking = TestPki.crl(PKI.ca, List.of(PKI.server.cert()));
        assertEquals("CERT_REVOKED", failure(server, b -> b.crl(revoking)));
        String other = TestPki.crl(PKI.ca, List.of(PKI.other.cert()));
        close(open(server, b -> b.crl(other)));
        String foreign = TestPki.crl(PKI.otherCa, List.of());
        assertEquals("UNABLE_TO_GET_CRL", failure(server, b -> b.crl(foreign)), "no list from the server's CA");
        TlsSocket lenient = open(server, b -> b.crl(revoking).rejectUnauthorized(false));
        assertFalse(lenient.authorized());
        assertEquals("CERT_REVOKED", lenient.authorizationError());
        close(lenient);
        server.close();
    }

    @Test
    void a_server_with_crl_refuses_a_revoked_client_and_set_secure_context_replaces_the_list() throws Exception {
        String revoking = TestPki.crl(PKI.ca, List.of(PKI.client.cert()));
        TlsServer server = server(TlsFixtures.serverOptions().ca(PKI.ca.certText()).requestCert(true)
                .crl(revoking).build());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        server.on(TlsServer.TLS_CLIENT_ERROR, (e, s) -> failures.add(e));
        UnaryOperator<TlsOptions.Builder> asClient = b -> b.key(PKI.client.keyText()).cert(PKI.client.chainText())
                .maxVersion("TLSv1.2");
        failure(server, asClient);
        waitFor().until(() -> failures.size() == 1);
        assertEquals("CERT_REVOKED", TlsFixtures.code(failures.get(0)));
        server.setSecureContext(TlsFixtures.serverOptions().ca(PKI.ca.certText())
                .crl(TestPki.crl(PKI.ca, List.of())).build());
        close(open(server, asClient));
        server.close();
    }

    @Test
    void get_certificate_is_the_chain_this_side_presented() {
        TlsServer server = server(TlsFixtures.serverOptions().ca(PKI.ca.certText()).requestCert(true).build());
        TlsSocket client = TlsFixtures.connect(server, b -> b.key(PKI.client.keyText()).cert(PKI.client.chainText()));
        Log log = Log.of(client, false);
        waitFor().until(() -> log.events.contains("secureConnect"));
        assertEquals(PKI.client.chain(), client.getCertificate());
        waitFor().until(() -> accepted.size() == 1);
        assertEquals(PKI.server.chain(), accepted.get(0).getCertificate());
        assertEquals(client.getCertificate(), accepted.get(0).getPeerCertificate());
        close(client);
        TlsServer plain = server(TlsFixtures.serverOptions().build());
        TlsSocket anonymous = open(plain, b -> b);
        assertEquals(List.of(), anonymous.getCertificate(), "a client that sent none");
        close(anonymous);
        server.close();
        plain.close();
    }

    @Test
    void get_certificate_is_empty_before_the_handshake() {
        List<Socket> raw = new CopyOnWriteArrayList<>();
        List<Log> rawLogs = new CopyOnWriteArrayList<>();
        dev.loomnet.net.Server silent = dev.loomnet.net.Net.createServer(s -> {        // TCP only: no handshake
            rawLogs.add(Log.of(s, false));
            raw.add(s);
        });
        silent.listen(0, "127.0.0.1");
        TlsSocket client = Tls.connect(dev.loomnet.net.ConnectOptions.builder().port(silent.address().port())
                .host("127.0.0.1").build(), TlsFixtures.clientOptions().key(PKI.client.keyText())
                .cert(PKI.client.chainText()).build());
        Log log = Log.of(client, false);
        waitFor().until(() -> log.events.contains("connect"));
        assertEquals(List.of(), client.getCertificate());
        client.destroy();
        log.awaitClosed();
        waitFor().until(() -> raw.size() == 1);
        raw.get(0).destroy();
        rawLogs.get(0).awaitClosed();
        silent.close();
    }

    @Test
    void get_ciphers_lists_lower_case_openssl_names_that_the_ciphers_option_takes() {
        List<String> names = Tls.getCiphers();
        assertTrue(names.contains("ecdhe-ecdsa-aes128-gcm-sha256"), names::toString);
        assertTrue(names.contains("tls_aes_128_gcm_sha256"), names::toString);
        assertEquals(names.stream().sorted().distinct().toList(), names);
        assertThrows(UnsupportedOperationException.class, () -> names.add("x"));
        for (String name : names) {                       // each one, upper-cased, selects a suite
            TlsOptions.builder().ciphers(name.toUpperCase(java.util.Locale.ROOT)).build();
            Tls.createServer(TlsFixtures.serverOptions().ciphers(name.toUpperCase(java.util.Locale.ROOT)).build());
        }
    }

    @Test
    void root_certificates_are_the_default_trust_stores_as_pem() throws Exception {
        List<String> roots = Tls.rootCertificates();
        assertFalse(roots.isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> roots.add("x"));
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (String pem : roots) {
            assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n"), pem);
            factory.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    private static void fails(String code, Executable call) {
        NetException e = assertThrows(NetException.class, call);
        assertEquals(code, e.code());
        assertTrue(e.getMessage().contains(code), e::getMessage);
    }

    @Test
    void bad_values_fail_at_the_call_with_nodes_codes() {
        fails("ERR_SSL_NO_CIPHER_MATCH", () -> Tls.createServer(TlsFixtures.serverOptions().ciphers("FOO").build()));
        fails("ERR_SSL_NO_CIPHER_MATCH", () -> Tls.createServer(TlsFixtures.serverOptions().ciphers("aes128-gcm-sha256")
                .build()));
        fails("ERR_SSL_NO_CIPHER_MATCH", () -> Tls.connect(1, "localhost", TlsOptions.builder()
                .ciphers(AES128 + ":TLS_FOO").build()));
        fails("ERR_INVALID_ARG_VALUE", () -> TlsOptions.builder().ciphers(":").build());
        fails("ERR_CRYPTO_OPERATION_FAILED", () -> Tls.createServer(TlsFixtures.serverOptions().ecdhCurve("P-256:foo")
                .build()));
        fails("ERR_CRYPTO_OPERATION_FAILED", () -> TlsOptions.builder().ecdhCurve("").build());
        fails("ERR_INVALID_ARG_VALUE", () -> Tls.createServer(TlsFixtures.serverOptions().sigalgs("RSA+SHA256:foo")
                .build()));
        fails("ERR_INVALID_ARG_VALUE", () -> TlsOptions.builder().sigalgs("").build());
        fails("ERR_OUT_OF_RANGE", () -> TlsOptions.builder().sessionTimeout(Duration.ofSeconds(-1)).build());
        fails("ERR_OUT_OF_RANGE", () -> TlsOptions.builder().sessionTimeout(Duration.ofMillis(1500)).build());
        fails("ERR_OUT_OF_RANGE", () -> TlsOptions.builder().sessionTimeout(Duration.ofSeconds(1L << 31)).build());
        fails("ERR_CRYPTO_OPERATION_FAILED", () -> Tls.createServer(TlsFixtures.serverOptions()
                .crl("-----BEGIN X509 CRL-----\ngarbage!\n-----END X509 CRL-----\n").build()));
        fails("ERR_CRYPTO_OPERATION_FAILED", () -> Tls.createServer(TlsFixtures.serverOptions()
                .crl(PKI.ca.certText()).build()));
        assertEquals("ERR_INVALID_ARG_TYPE", assertThrows(NetException.class,
                () -> TlsOptions.builder().ciphers(nullString())).code());
    }

    @Test
    void a_bad_value_in_set_secure_context_keeps_the_old_context() {
        TlsServer server = server(TlsFixtures.serverOptions().ciphers(AES256).maxVersion("TLSv1.2").build());
        fails("ERR_SSL_NO_CIPHER_MATCH", () -> server.setSecureContext(TlsFixtures.serverOptions().ciphers("FOO")
                .build()));
        TlsSocket client = open(server, b -> b);
        assertEquals(AES256, client.getCipher().name());
        close(client);
        server.setSecureContext(TlsFixtures.serverOptions().ciphers(AES128).build());
        TlsSocket replaced = open(server, b -> b.maxVersion("TLSv1.2"));
        assertEquals(AES128, replaced.getCipher().name(), "ciphers replaced");
        close(replaced);
        server.close();
    }

    @SuppressWarnings("NullAway")
    private static String nullString() {
        return null;
    }

    // ---- what only the peer sees: openssl s_client -brief against a loomnet server ----

    /** {@code openssl s_client -brief} to {@code server}: its summary (stderr and stdout). */
    private static String sClient(TlsServer server, String... extra) throws Exception {
        Optional<Path> openssl = OpensslPeer.find();
        assumeTrue(openssl.isPresent(), "openssl is not on the PATH: what the peer sees cannot be read");
        List<String> args = new java.util.ArrayList<>(List.of(openssl.get().toString(), "s_client", "-connect",
                "127.0.0.1:" + server.address().port(), "-servername", "localhost", "-CAfile",
                PKI.ca.certPem().toString(), "-brief"));
        args.addAll(List.of(extra));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        p.getOutputStream().close();                      // EOF on stdin: s_client closes once connected
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        return out;
    }

    @Test
    void openssl_sees_the_curve_the_signature_digest_and_the_cipher() throws Exception {
        TestPki.Identity rsa = PKI.rsaServer();
        TlsServer server = server(TlsOptions.builder().key(rsa.keyText()).cert(rsa.chainText()).ecdhCurve("P-384")
                .sigalgs("RSA-PSS+SHA384").ciphers("ECDHE-RSA-AES256-GCM-SHA384").maxVersion("TLSv1.2").build());
        String out = sClient(server);
        assertTrue(out.contains("Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384"), out);
        assertTrue(out.contains("Server Temp Key: ECDH, secp384r1"), out);
        assertTrue(out.contains("Hash used: SHA384") && out.contains("Signature type: RSA-PSS"), out);
        server.close();
    }

    @Test
    void openssl_sees_the_session_ticket_lifetime() throws Exception {
        TlsServer server = server(TlsFixtures.serverOptions().sessionTimeout(Duration.ofSeconds(42))
                .maxVersion("TLSv1.2").build());                 // the ticket comes within the handshake
        Path session = dir.resolve("session.pem");
        String out = sClient(server, "-sess_out", session.toString());
        assertTrue(out.contains("CONNECTION ESTABLISHED"), out);
        Process p = new ProcessBuilder(OpensslPeer.find().orElseThrow().toString(), "sess_id", "-in",
                session.toString(), "-text", "-noout").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), text);
        assertTrue(text.contains("lifetime hint: 42"), text);
        server.close();
    }

    @Test
    void a_session_id_older_than_session_timeout_is_not_resumed() throws Exception {
        TlsServer server = server(TlsFixtures.serverOptions().sessionTimeout(Duration.ofSeconds(4))
                .maxVersion("TLSv1.2").build());
        java.util.concurrent.atomic.AtomicLong createdAt = new java.util.concurrent.atomic.AtomicLong();
        server.on(TlsServer.SECURE_CONNECTION, s -> createdAt.compareAndSet(0,
                s.getSession().sslSession().getCreationTime()));
        Path session = dir.resolve("session.pem");
        String first = sClientSession(server, "-sess_out", session.toString());
        assertTrue(first.contains("New, TLSv1.2"), first);
        waitFor().until(() -> createdAt.get() != 0);
        long created = createdAt.get();
        String soon = sClientSession(server, "-sess_in", session.toString());
        assertTrue(soon.contains("Reused, TLSv1.2"), soon);
        // the lifetime counts from the session's creation: once it is over, a full handshake
        waitFor().pollInterval(Duration.ofMillis(100)).until(() -> System.currentTimeMillis() > created + 4_200);
        String later = sClientSession(server, "-sess_in", session.toString());
        assertTrue(later.contains("New, TLSv1.2"), later);
        server.close();
    }

    /** {@code s_client} resuming by session id ({@code -no_ticket}), its full summary. */
    private static String sClientSession(TlsServer server, String... extra) throws Exception {
        Optional<Path> openssl = OpensslPeer.find();
        assumeTrue(openssl.isPresent(), "openssl is not on the PATH: its resumption cannot be watched");
        List<String> args = new java.util.ArrayList<>(List.of(openssl.get().toString(), "s_client", "-connect",
                "127.0.0.1:" + server.address().port(), "-servername", "localhost", "-CAfile",
                PKI.ca.certPem().toString(), "-no_ticket"));
        args.addAll(List.of(extra));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        return out;
    }

    // ---- the same inputs give Node's answers ----

    private static void assumeNode() throws Exception {
        Optional<String> why = dev.loomnet.testing.PeerProcess.nodeMissing();
        assumeTrue(why.isEmpty(), () -> why.orElseThrow());
    }

    @Test
    void node_gives_the_same_codes_for_the_same_revocation_lists() throws Exception {
        assumeNode();
        TlsServer server = server(TlsFixtures.serverOptions().build());
        java.util.Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put(TestPki.crl(PKI.ca, List.of(PKI.server.cert())), "CERT_REVOKED");
        expected.put(TestPki.crl(PKI.otherCa, List.of()), "UNABLE_TO_GET_CRL");
        for (java.util.Map.Entry<String, String> e : expected.entrySet()) {
            java.util.Map<String, Object> o = dev.loomnet.testing.NodeTlsPeer.trusting(PKI.ca);
            Path crl = java.nio.file.Files.writeString(dir.resolve("crl.pem"), e.getKey());
            o.put("crl", crl.toString());
            try (dev.loomnet.testing.PeerProcess node = dev.loomnet.testing.NodeTlsPeer.start("client",
                    server.address().port(), o)) {
                assertEquals(e.getValue(), node.awaitLine("error ").split(" ")[0], "Node's code");
                node.awaitLine("closed");
            }
            assertEquals(e.getValue(), failure(server, b -> b.crl(e.getKey())), "loomnet's code");
        }
        server.close();
    }

    @Test
    void get_ciphers_names_are_nodes_names() throws Exception {
        assumeNode();
        Path node = dev.loomnet.testing.PeerProcess.find("node").orElseThrow();
        Process p = new ProcessBuilder(node.toString(), "-e",
                "console.log(require('tls').getCiphers().join(' '))").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        List<String> nodes = List.of(out.split(" ", -1));
        // Node's OpenSSL build lists no DSS suites; their names are OpenSSL's too (TlsCipherNamesTest)
        List<String> missing = Tls.getCiphers().stream().filter(n -> !n.startsWith("dhe-dss-"))
                .filter(n -> !nodes.contains(n)).toList();
        assertEquals(List.of(), missing, "names Node does not know");
    }
}
