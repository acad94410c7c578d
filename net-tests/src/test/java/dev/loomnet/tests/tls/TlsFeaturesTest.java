package dev.loomnet.tests.tls;

import static dev.loomnet.tests.tls.TlsFixtures.PKI;
import static dev.loomnet.tests.tls.TlsFixtures.connect;
import static dev.loomnet.tests.tls.TlsFixtures.serving;
import static dev.loomnet.tests.tls.TlsFixtures.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSession;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.tls.TlsFixtures.Log;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the handshake negotiates, read through {@link TlsSocket}: ALPN, SNI with {@code addContext} and
 * {@code SNICallback}, certificate rotation with {@code setSecureContext}, resumption with {@code session},
 * protocol versions and the cipher's names.
 */
class TlsFeaturesTest {

    @TempDir
    Path dir;

    private final List<TlsSocket> accepted = new CopyOnWriteArrayList<>();

    private TlsServer server(TlsOptions options) {
        return TlsFixtures.echoKeeping(dir, options, accepted);
    }

    /** Connects, exchanges one byte, and returns the client while it is still open. */
    private static TlsSocket open(TlsServer server, UnaryOperator<TlsOptions.Builder> more) {
        TlsSocket client = connect(server, more);
        Log log = Log.of(client, true);
        client.on(TlsSocket.SECURE_CONNECT, () -> client.write("x"));
        waitFor().until(() -> log.size() == 1 || log.closed());
        assertTrue(log.errors.isEmpty(), log.events::toString);
        return client;
    }

    private static void close(TlsSocket client) {
        Log log = Log.of(client, false);
        client.end();
        log.awaitClosed();
    }

    @Test
    void alpn_picks_the_servers_first_choice_that_the_client_offers() {
        TlsServer server = server(TlsFixtures.serverOptions().alpnProtocols("h2", "http/1.1").build());
        TlsSocket client = open(server, b -> b.alpnProtocols("http/1.1", "h2"));
        assertEquals("h2", client.alpnProtocol());
        assertEquals("h2", accepted.get(0).alpnProtocol());
        close(client);
        TlsSocket none = open(server, b -> b);
        assertNull(none.alpnProtocol(), "no ALPN offered: none agreed (Node: false)");
        close(none);
        server.close();
    }

    @Test
    void alpn_without_a_common_protocol_fails_as_node() {
        TlsServer server = server(TlsFixtures.serverOptions().alpnProtocols("h2").build());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        server.on(TlsServer.TLS_CLIENT_ERROR, (e, s) -> failures.add(e));
        TlsSocket client = connect(server, b -> b.alpnProtocols("spdy/3"));
        Log log = Log.of(client, false).awaitClosed();
        assertEquals("ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL", TlsFixtures.code(log.error()));
        waitFor().until(() -> failures.size() == 1);
        assertEquals("ERR_SSL_NO_APPLICATION_PROTOCOL", TlsFixtures.code(failures.get(0)));
        server.close();
    }

    @Test
    void sni_and_add_context_select_the_certificate_and_wildcards_match_one_label() {
        TlsServer server = server(TlsFixtures.serverOptions().build());
        server.addContext("other.test", serving(PKI.other).build());
        server.addContext("*.wild.test", serving(PKI.other).build());
        TlsSocket other = open(server, b -> b.servername("other.test"));
        assertEquals(PKI.other.cert(), other.getPeerCertificate().get(0));
        assertEquals("other.test", other.servername());
        assertEquals("other.test", accepted.get(0).servername());
        close(other);
        TlsSocket wild = open(server, b -> b.servername("a.wild.test"));
        assertEquals(PKI.other.cert(), wild.getPeerCertificate().get(0));
        close(wild);
        TlsSocket plain = open(server, b -> b);
        assertEquals(PKI.server.cert(), plain.getPeerCertificate().get(0), "no match: the server's own");
        close(plain);
        server.close();
    }

    @Test
    void the_sni_callback_chooses_per_name() {
        List<String> asked = new CopyOnWriteArrayList<>();
        TlsServer server = server(TlsFixtures.serverOptions().sniCallback(name -> {
            asked.add(name);
            return name.equals("other.test") ? serving(PKI.other).build() : null;
        }).build());
        TlsSocket other = open(server, b -> b.servername("other.test"));
        assertEquals(PKI.other.cert(), other.getPeerCertificate().get(0));
        close(other);
        TlsSocket own = open(server, b -> b);
        assertEquals(PKI.server.cert(), own.getPeerCertificate().get(0));
        close(own);
        assertEquals(List.of("other.test", "localhost"), asked);
        server.close();
    }

    @Test
    void set_secure_context_serves_new_connections_and_keeps_the_open_ones() {
        TlsServer server = server(TlsFixtures.serverOptions().build());
        TlsSocket before = open(server, b -> b);
        assertEquals(PKI.server.cert(), before.getPeerCertificate().get(0));
        server.setSecureContext(serving(PKI.other).build());
        TlsSocket after = open(server, b -> b.servername("other.test"));
        assertEquals(PKI.other.cert(), after.getPeerCertificate().get(0));
        // the connection made before the rotation still carries data
        Log log = Log.of(before, true);
        before.end("still here");
        log.awaitClosed();
        assertEquals("still here", log.text());
        close(after);
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void a_session_resumes_on_the_second_connection(String version) {
        TlsServer server = server(TlsFixtures.serverOptions().maxVersion(version).build());
        TlsSocket first = open(server, b -> b);
        assertFalse(first.isSessionReused());
        TlsSession session = first.getSession();
        assertNotNull(session);
        close(first);
        TlsSocket second = open(server, b -> b.session(session));
        assertTrue(second.isSessionReused(), "resumed with the first one's session");
        assertTrue(accepted.get(1).isSessionReused(), "the server saw it resumed too");
        assertEquals(version, second.getProtocol());
        close(second);
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void min_and_max_version_choose_the_protocol(String version) {
        TlsServer server = server(TlsFixtures.serverOptions().minVersion(version).maxVersion(version).build());
        TlsSocket client = open(server, b -> b);
        assertEquals(version, client.getProtocol());
        assertEquals(version, accepted.get(0).getProtocol());
        TlsSocket.Cipher cipher = client.getCipher();
        assertNotNull(cipher);
        assertEquals(version, cipher.version());
        if (version.equals("TLSv1.3")) {
            assertEquals(cipher.standardName(), cipher.name(), "TLS 1.3 suites have one name");
        } else {
            assertTrue(cipher.name().startsWith("ECDHE-ECDSA-"), cipher.toString());   // OpenSSL's name
        }
        close(client);
        server.close();
    }

    @Test
    void no_common_version_fails_on_both_sides() {
        TlsServer server = server(TlsFixtures.serverOptions().minVersion("TLSv1.3").build());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        server.on(TlsServer.TLS_CLIENT_ERROR, (e, s) -> failures.add(e));
        Log log = Log.of(connect(server, b -> b.maxVersion("TLSv1.2")), false).awaitClosed();
        assertEquals("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", TlsFixtures.code(log.error()));
        waitFor().until(() -> failures.size() == 1);
        assertEquals("ERR_SSL_UNSUPPORTED_PROTOCOL", TlsFixtures.code(failures.get(0)));
        server.close();
    }

    @Test
    void min_version_above_max_version_fails_the_handshake_as_node() {
        TlsServer server = server(TlsFixtures.serverOptions().build());
        Log log = Log.of(connect(server, b -> b.minVersion("TLSv1.3").maxVersion("TLSv1.2")), false).awaitClosed();
        assertEquals("ERR_SSL_NO_PROTOCOLS_AVAILABLE", TlsFixtures.code(log.error()));
        server.close();
    }

    @Test
    void before_the_handshake_the_accessors_answer_not_yet() {
        // a plain server that never answers the hello: the handshake cannot finish before the checks
        dev.loomnet.net.Server silent = dev.loomnet.net.Net.createServer(
                s -> s.on(Socket.ERROR, error -> { }).on(Socket.DATA, chunk -> { }));
        Transport.TCP4.listen(silent, dir);
        TlsSocket pending = connect(silent, b -> b);
        List<Object> early = new ArrayList<>();
        early.add(pending.getProtocol() == null);
        early.add(pending.getCipher() == null);
        early.add(pending.getSession() == null);
        early.add(pending.getPeerCertificate().isEmpty());
        early.add(!pending.authorized());
        early.add(pending.encrypted());
        assertEquals(List.of(true, true, true, true, true, true), early);
        Log pendingLog = Log.of(pending, false);
        pending.destroy();
        pendingLog.awaitClosed();
        silent.close();

        TlsServer server = server(TlsFixtures.serverOptions().build());
        TlsSocket client = connect(server, b -> b);
        Log log = Log.of(client, false);
        waitFor().until(() -> log.events.contains("secureConnect"));
        assertTrue(client.authorized());
        close(client);
        server.close();
    }
}
