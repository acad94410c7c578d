package dev.loomnet.tests.tls;

import static dev.loomnet.tests.tls.TlsFixtures.PKI;
import static dev.loomnet.tests.tls.TlsFixtures.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSession;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.testing.NodeTlsPeer;
import dev.loomnet.testing.OpensslPeer;
import dev.loomnet.testing.PeerProcess;
import dev.loomnet.testing.TestPki;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.tls.TlsFixtures.Log;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * loomnet's public TLS API against the machine's {@code node} ({@code tls} module, the script
 * {@code interop/tls-peer.js} of net-loom's test jar), both directions: 32 MiB echoed with SHA-256 equal, ALPN,
 * SNI, client certificates, verification failures with Node's codes, resumption, TLS 1.2 and 1.3, close_notify
 * as {@code END}, half-open. Skipped, with the reason, without {@code node} 20+ on the {@code PATH}.
 */
class TlsNodeInteropTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void nodeIsInstalled() throws Exception {
        Optional<String> why = PeerProcess.nodeMissing();
        assumeTrue(why.isEmpty(), () -> why.orElseThrow());
    }

    private static TlsSocket connectTo(int port, TlsOptions.Builder options) {
        return Tls.connect(ConnectOptions.builder().port(port).host("127.0.0.1").build(), options.build());
    }

    /** loomnet's client options: trusting the test CA, SNI (and name checked) {@code localhost}. */
    private static TlsOptions.Builder trusting() {
        return TlsFixtures.clientOptions().servername("localhost");
    }

    /** A client that sends {@code total} bytes through the blocking stream (which follows backpressure), then ends. */
    private static Log sendAll(TlsSocket client, int total) {
        Log log = Log.of(client, true);
        client.on(TlsSocket.SECURE_CONNECT, () -> Thread.ofVirtual().start(() -> {
            try (java.io.OutputStream out = client.outputStream()) {
                OpensslPeer.stream(7, total, out::write);
            } catch (IOException e) {
                client.destroy(e);
            }
        }));
        return log;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void loomnet_client_to_node_server_32_mib_echo(String version) throws Exception {
        Map<String, Object> o = NodeTlsPeer.serving(PKI.server);
        o.put("maxVersion", version);
        try (PeerProcess peer = NodeTlsPeer.start("server", 0, o)) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            TlsSocket client = connectTo(port, trusting());
            Log log = sendAll(client, 32 * MIB);
            log.awaitClosed();
            assertTrue(log.errors.isEmpty(), log.events::toString);
            assertEquals(java.util.HexFormat.of().formatHex(OpensslPeer.sha256Of(7, 32 * MIB)),
                    TlsFixtures.sha256(log.received()), "SHA-256 of the echo");
            assertEquals(version, client.getProtocol());
            assertTrue(log.events.contains("end"), "Node's close_notify seen as END");
            peer.awaitLine("end");                        // our close_notify seen as Node's 'end'
            assertEquals(version, NodeTlsPeer.field(peer.awaitLine("secure "), "protocol"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void node_client_to_loomnet_server_32_mib_echo(String version) throws Exception {
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(),
                TlsFixtures.serverOptions().build(), s -> s.pipe(s));
        Map<String, Object> o = NodeTlsPeer.trusting(PKI.ca);
        o.put("mode", "send");
        o.put("size", 32 * MIB);
        o.put("maxVersion", version);
        try (PeerProcess peer = NodeTlsPeer.start("client", server.address().port(), o)) {
            String[] sha = peer.awaitLine("sha ").split(" ");
            assertEquals(sha[0], sha[1], "Node's SHA-256 of what it sent and of what came back");
            assertEquals(String.valueOf(32 * MIB), sha[2]);
            assertEquals(version, NodeTlsPeer.field(peer.awaitLine("secure "), "protocol"));
            peer.awaitLine("closed");
        }
        server.close();
    }

    @Test
    void alpn_and_sni_loomnet_client_node_server() throws Exception {
        Map<String, Object> o = NodeTlsPeer.serving(PKI.server);
        o.put("ALPNProtocols", List.of("http/1.1", "h2"));
        o.put("contexts", Map.of("other.test", Map.of("key", PKI.other.keyPem().toString(),
                "cert", PKI.other.certPem().toString())));
        try (PeerProcess peer = NodeTlsPeer.start("server", 0, o)) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            TlsSocket client = connectTo(port, trusting().servername("other.test")
                    .alpnProtocols("h2", "http/1.1"));
            Log log = Log.of(client, true);
            client.on(TlsSocket.SECURE_CONNECT, client::end);
            log.awaitClosed();
            assertEquals("http/1.1", client.alpnProtocol());
            assertEquals(PKI.other.cert(), client.getPeerCertificate().get(0));
            String secure = peer.awaitLine("secure ");
            assertEquals("http/1.1", NodeTlsPeer.field(secure, "alpn"));
            assertEquals("other.test", NodeTlsPeer.field(secure, "servername"));
        }
    }

    @Test
    void alpn_and_sni_node_client_loomnet_server() throws Exception {
        List<TlsSocket> accepted = new CopyOnWriteArrayList<>();
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(),
                TlsFixtures.serverOptions().alpnProtocols("http/1.1").build(), s -> {
                    accepted.add(s);
                    s.pipe(s);
                });
        server.addContext("other.test", TlsFixtures.serving(PKI.other).build());
        Map<String, Object> o = NodeTlsPeer.trusting(PKI.ca);
        o.put("servername", "other.test");
        o.put("ALPNProtocols", List.of("h2", "http/1.1"));
        o.put("mode", "send");
        o.put("size", 1000);
        try (PeerProcess peer = NodeTlsPeer.start("client", server.address().port(), o)) {
            String secure = peer.awaitLine("secure ");
            assertEquals("http/1.1", NodeTlsPeer.field(secure, "alpn"));
            assertEquals("other.test", NodeTlsPeer.field(secure, "peerCN"));
            assertEquals("true", NodeTlsPeer.field(secure, "authorized"));
            peer.awaitLine("sha ");
            assertEquals("http/1.1", accepted.get(0).alpnProtocol());
            assertEquals("other.test", accepted.get(0).servername());
            peer.awaitLine("closed");
        }
        server.close();
    }

    @Test
    void client_certificates_loomnet_client_node_server() throws Exception {
        Map<String, Object> o = NodeTlsPeer.serving(PKI.server);
        o.put("ca", PKI.ca.certPem().toString());
        o.put("requestCert", true);
        o.put("rejectUnauthorized", true);
        o.put("connections", 2);
        try (PeerProcess peer = NodeTlsPeer.start("server", 0, o)) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            TlsSocket with = connectTo(port, trusting().key(PKI.client.keyText())
                    .cert(PKI.client.certText()));
            Log accepted = Log.of(with, true);
            with.on(TlsSocket.SECURE_CONNECT, () -> with.end("hi"));
            accepted.awaitClosed();
            assertEquals("hi", accepted.text());
            assertEquals("true", NodeTlsPeer.field(peer.awaitLine("secure "), "authorized"));
            Log refused = Log.of(connectTo(port, trusting()), false).awaitClosed();
            assertTrue(refused.events.contains("error:ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"),
                    refused.events::toString);
            assertEquals("ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE", peer.awaitLine("tlsClientError "));
        }
    }

    @Test
    void client_certificates_node_client_loomnet_server() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<TlsSocket> accepted = new CopyOnWriteArrayList<>();
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(),
                TlsFixtures.serverOptions().requestCert(true).ca(PKI.ca.certText()).build(), s -> {
                    accepted.add(s);
                    s.pipe(s);
                });
        server.on(TlsServer.TLS_CLIENT_ERROR, (e, s) -> failures.add(e));
        Map<String, Object> c = NodeTlsPeer.trusting(PKI.ca);
        c.put("key", PKI.client.keyPem().toString());
        c.put("cert", PKI.client.certPem().toString());
        c.put("mode", "send");
        c.put("size", 1000);
        try (PeerProcess peer = NodeTlsPeer.start("client", server.address().port(), c)) {
            peer.awaitLine("sha ");
            assertTrue(accepted.get(0).authorized());
            assertEquals("loomnet client", cn(accepted.get(0)));
        }
        try (PeerProcess peer = NodeTlsPeer.start("client", server.address().port(), NodeTlsPeer.trusting(PKI.ca))) {
            assertTrue(peer.awaitLine("error ").startsWith("ERR_SSL_"), peer.toString());
            waitFor().until(() -> failures.size() == 1);
            assertEquals("ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE", TlsFixtures.code(failures.get(0)));
        }
        server.close();
    }

    private static String cn(TlsSocket s) {
        String dn = s.getPeerCertificate().get(0).getSubjectX500Principal().getName();
        Matcher m = Pattern.compile("CN=([^,]+)").matcher(dn);
        assertTrue(m.find(), dn);
        return m.group(1);
    }

    /** The same failure seen by loomnet's client and by Node's, against the same loomnet server: same code. */
    @Test
    void verification_failures_have_nodes_codes_and_messages() throws Exception {
        assertSameFailure(PKI.stranger, "localhost");
        assertSameFailure(PKI.selfSigned, "localhost");
        assertSameFailure(PKI.expired, "localhost");
        assertSameFailure(PKI.server, "wrong.example");
    }

    private void assertSameFailure(TestPki.Identity served, String servername) throws Exception {
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(),
                TlsOptions.builder().key(served.keyText()).cert(served.certText()).build(), s -> { });
        Log ours = Log.of(connectTo(server.address().port(), trusting().servername(servername)),
                false).awaitClosed();
        Map<String, Object> o = NodeTlsPeer.trusting(PKI.ca);
        o.put("servername", servername);
        try (PeerProcess peer = NodeTlsPeer.start("client", server.address().port(), o)) {
            String theirs = peer.awaitLine("error ");
            assertEquals(theirs, TlsFixtures.code(ours.error()) + " " + ours.error().getMessage(),
                    "Node's client and loomnet's");
        }
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void resumption_loomnet_client_node_server(String version) throws Exception {
        Map<String, Object> o = NodeTlsPeer.serving(PKI.server);
        o.put("connections", 2);
        o.put("maxVersion", version);
        try (PeerProcess peer = NodeTlsPeer.start("server", 0, o)) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            List<Boolean> reused = new ArrayList<>();
            TlsSession session = null;
            for (int i = 0; i < 2; i++) {
                TlsOptions.Builder b = trusting();
                if (session != null) {
                    b.session(session);
                }
                TlsSocket client = connectTo(port, b);
                Log log = Log.of(client, true);
                client.on(TlsSocket.SECURE_CONNECT, () -> client.write("x"));
                waitFor().until(() -> log.size() == 1);   // the echo; Node's ticket came before it
                reused.add(client.isSessionReused());
                session = client.getSession();
                client.end();
                log.awaitClosed();
            }
            assertEquals(List.of(false, true), reused);
            peer.awaitExit();
            assertEquals(List.of("false", "true"), peer.lines().stream().filter(l -> l.startsWith("secure "))
                    .map(l -> NodeTlsPeer.field(l, "reused")).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void resumption_node_client_loomnet_server(String version) throws Exception {
        List<TlsSocket> accepted = new CopyOnWriteArrayList<>();
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(),
                TlsFixtures.serverOptions().maxVersion(version).build(), s -> {
                    accepted.add(s);
                    s.pipe(s);
                });
        Map<String, Object> c = NodeTlsPeer.trusting(PKI.ca);
        c.put("connections", 2);
        c.put("resume", true);
        c.put("mode", "send");
        c.put("size", 1000);
        try (PeerProcess peer = NodeTlsPeer.start("client", server.address().port(), c)) {
            peer.awaitExit();
            assertEquals(List.of("false", "true"), peer.lines().stream().filter(l -> l.startsWith("secure "))
                    .map(l -> NodeTlsPeer.field(l, "reused")).toList());
            assertEquals(2, accepted.size());
            assertFalse(accepted.get(0).isSessionReused());
            assertTrue(accepted.get(1).isSessionReused());
        }
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void half_open_node_writes_after_our_close_notify(String version) throws Exception {
        Map<String, Object> o = NodeTlsPeer.serving(PKI.server);
        o.put("mode", "halfopen");
        o.put("maxVersion", version);
        try (PeerProcess peer = NodeTlsPeer.start("server", 0, o)) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            TlsSocket client = Tls.connect(ConnectOptions.builder().port(port).host("127.0.0.1").allowHalfOpen(true)
                    .build(), TlsFixtures.clientOptions().servername("localhost").build());
            Log log = Log.of(client, true);
            client.on(TlsSocket.SECURE_CONNECT, () -> client.end("hello"));
            log.awaitClosed();
            peer.awaitLine("end");
            assertEquals("after-end", log.text());
            assertEquals(List.of("connect", "ready", "secureConnect", "data", "end", "close:false"),
                    log.events.stream().filter(e -> !e.equals("finish")).toList());
            assertTrue(log.events.contains("finish"), log.events::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void half_open_node_client_writes_after_our_close_notify(String version) throws Exception {
        Log serverSide = new Log();
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().allowHalfOpen(true).build(),
                TlsFixtures.serverOptions().maxVersion(version).build(), s -> {
                    s.on(Socket.DATA, serverSide::add);
                    s.on(Socket.END, () -> serverSide.events.add("end"));
                    s.on(Socket.CLOSE, h -> serverSide.events.add("close:" + h));
                    s.end("bye");
                });
        Map<String, Object> c = NodeTlsPeer.trusting(PKI.ca);
        c.put("mode", "halfopen");
        c.put("allowHalfOpen", true);
        try (PeerProcess peer = NodeTlsPeer.start("client", server.address().port(), c)) {
            peer.awaitLine("end");
            waitFor().until(() -> serverSide.events.contains("close:false"));
            assertEquals("after-end", serverSide.text());
            assertEquals(List.of("end", "close:false"), serverSide.events);
            peer.awaitLine("closed");
        }
        server.close();
    }
}
