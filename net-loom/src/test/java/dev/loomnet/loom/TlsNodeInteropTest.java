package dev.loomnet.loom;

import static dev.loomnet.loom.TlsChannelTest.PKI;
import static dev.loomnet.loom.TlsChannelTest.client;
import static dev.loomnet.loom.TlsChannelTest.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.NetException;
import dev.loomnet.testing.NodeTlsPeer;
import dev.loomnet.testing.PeerProcess;
import dev.loomnet.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TlsChannel} against the machine's {@code node} (its {@code tls} module, script
 * {@code interop/tls-peer.js}), both directions: 32 MiB echoed with SHA-256 equal, ALPN, SNI, client
 * certificates, Node's own codes for the same failures, resumption, half-open. Skipped, with the reason, when
 * no {@code node} 20+ is on the {@code PATH}.
 */
// "try": a channel opened in a try-with-resources only to be closed with the test, and peers closed early
@SuppressWarnings("try")
class TlsNodeInteropTest {

    private static final int MIB = 1 << 20;
    private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.");
    private static Optional<Path> node = Optional.empty();

    @BeforeAll
    static void findNode() throws Exception {
        node = PeerProcess.find("node");
        assumeTrue(node.isPresent(), "node is not on the PATH: the TLS interop tests with Node are skipped");
        try (PeerProcess v = PeerProcess.start(List.of(node.get().toString(), "--version"))) {
            String text = v.awaitLine("v");
            Matcher m = VERSION.matcher("v" + text);
            assumeTrue(m.lookingAt() && Integer.parseInt(m.group(1)) >= 20,
                    "node is v" + text + ", older than 20: the TLS interop tests with Node are skipped");
        }
    }

    private static TlsChannel connectTo(int port, TlsContext context, String host) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return TlsPair.clientOn(ch, context, host, port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void java_client_to_node_server_32_mib_echo(String version) throws Exception {
        Map<String, Object> o = NodeTlsPeer.serving(PKI.server);
        o.put("maxVersion", version);
        try (PeerProcess peer = NodeTlsPeer.start("server", 0, o)) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            TlsChannel tls = connectTo(port, client(b -> { }), "localhost");
            try (SocketChannel ch = channelOf(tls)) {
                tls.handshake();
                assertEquals(version, tls.info().protocol());
                assertTrue(TlsFlows.sendAndCheckEcho(tls, 32 * MIB), "SHA-256 equal; Node's close_notify seen as END");
                assertTrue(tls.closeNotified(), "Node ended with close_notify");
            }
            peer.awaitLine("end");
            assertEquals(version, NodeTlsPeer.field(peer.awaitLine("secure "), "protocol"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void node_client_to_java_server_32_mib_echo(String version) throws Exception {
        try (ServerSocketChannel listener = TlsPair.listener()) {
            Map<String, Object> o = NodeTlsPeer.trusting(PKI.ca);
            o.put("mode", "send");
            o.put("size", 32 * MIB);
            o.put("maxVersion", version);
            try (PeerProcess peer = NodeTlsPeer.start("client", port(listener), o)) {
                try (SocketChannel ch = listener.accept()) {
                    TlsChannel tls = TlsPair.serverOn(ch, server(b -> { }));
                    tls.handshake();
                    assertEquals(32 * MIB, TlsFlows.echo(tls));
                }
                String[] sha = peer.awaitLine("sha ").split(" ");
                assertEquals(sha[0], sha[1], "Node's SHA-256 of what it sent and of what came back");
                assertEquals(String.valueOf(32 * MIB), sha[2]);
                assertEquals(version, NodeTlsPeer.field(peer.awaitLine("secure "), "protocol"));
            }
        }
    }

    @Test
    void alpn_and_sni_java_client_node_server() throws Exception {
        Map<String, Object> o = NodeTlsPeer.serving(PKI.server);
        o.put("ALPNProtocols", List.of("http/1.1", "h2"));
        o.put("contexts", Map.of("other.test", Map.of("key", PKI.other.keyPem().toString(),
                "cert", PKI.other.certPem().toString())));
        try (PeerProcess peer = NodeTlsPeer.start("server", 0, o)) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            TlsChannel tls = connectTo(port, client(b -> b.servername("other.test").alpnProtocols("h2", "http/1.1")),
                    "127.0.0.1");
            try (SocketChannel ch = channelOf(tls)) {
                tls.handshake();
                assertEquals("http/1.1", tls.info().alpnProtocol());
                assertEquals(PKI.other.cert(), tls.info().peerCertificates().get(0));
                tls.shutdownOutput();
                assertEquals(-1, tls.read(ByteBuffer.allocate(10)));
            }
            String secure = peer.awaitLine("secure ");
            assertEquals("http/1.1", NodeTlsPeer.field(secure, "alpn"));
            assertEquals("other.test", NodeTlsPeer.field(secure, "servername"));
        }
    }

    @Test
    void alpn_and_sni_node_client_java_server() throws Exception {
        TlsContext servers = server(b -> b.alpnProtocols("http/1.1"));
        servers.addContext("other.test", TlsConfig.server().key(PKI.other.keyText()).cert(PKI.other.certText())
                .build());
        try (ServerSocketChannel listener = TlsPair.listener()) {
            Map<String, Object> o = NodeTlsPeer.trusting(PKI.ca);
            o.put("servername", "other.test");
            o.put("ALPNProtocols", List.of("h2", "http/1.1"));
            o.put("mode", "send");
            try (PeerProcess peer = NodeTlsPeer.start("client", port(listener), o); SocketChannel ch = listener.accept()) {
                TlsChannel tls = TlsPair.serverOn(ch, servers);
                tls.handshake();
                assertEquals("http/1.1", tls.info().alpnProtocol());
                assertEquals("other.test", tls.info().servername());
                TlsFlows.echo(tls);
                String secure = peer.awaitLine("secure ");
                assertEquals("http/1.1", NodeTlsPeer.field(secure, "alpn"));
                assertEquals("other.test", NodeTlsPeer.field(secure, "peerCN"));
                assertEquals("true", NodeTlsPeer.field(secure, "authorized"));
            }
        }
    }

    @Test
    void client_certificates_both_ways() throws Exception {
        Map<String, Object> o = NodeTlsPeer.serving(PKI.server);
        o.put("ca", PKI.ca.certPem().toString());
        o.put("requestCert", true);
        o.put("rejectUnauthorized", true);
        o.put("connections", 2);
        try (PeerProcess peer = NodeTlsPeer.start("server", 0, o)) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            TlsChannel with = connectTo(port, client(b -> b.key(PKI.client.keyText()).cert(PKI.client.certText())),
                    "localhost");
            try (SocketChannel ch = channelOf(with)) {
                with.handshake();
                with.shutdownOutput();
                assertEquals(-1, with.read(ByteBuffer.allocate(10)));
            }
            assertEquals("true", NodeTlsPeer.field(peer.awaitLine("secure "), "authorized"));
            TlsChannel without = connectTo(port, client(b -> { }), "localhost");
            try (SocketChannel ch = channelOf(without)) {
                without.handshake();                      // TLS 1.3: the client finishes before the server refuses
                NetException e = assertThrows(NetException.class, () -> without.read(ByteBuffer.allocate(10)));
                assertEquals("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", e.code(), "what Node's client gets too");
            }
            assertEquals("ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE", peer.awaitLine("tlsClientError "));
        }
        try (ServerSocketChannel listener = TlsPair.listener()) {
            TlsContext servers = server(b -> b.requestCert(true).ca(PKI.ca.certText()));
            Map<String, Object> c = NodeTlsPeer.trusting(PKI.ca);
            c.put("key", PKI.client.keyPem().toString());
            c.put("cert", PKI.client.certPem().toString());
            c.put("mode", "send");
            c.put("size", 1000);
            try (PeerProcess peer = NodeTlsPeer.start("client", port(listener), c); SocketChannel ch = listener.accept()) {
                TlsChannel tls = TlsPair.serverOn(ch, servers);
                tls.handshake();
                assertTrue(tls.info().authorized());
                assertEquals("loomnet client", HostIdentity.commonName(tls.info().peerCertificates().get(0)));
                TlsFlows.echo(tls);
                peer.awaitLine("sha ");
            }
            Map<String, Object> n = NodeTlsPeer.trusting(PKI.ca);
            try (PeerProcess peer = NodeTlsPeer.start("client", port(listener), n); SocketChannel ch = listener.accept()) {
                TlsChannel tls = TlsPair.serverOn(ch, servers);
                NetException e = assertThrows(NetException.class, tls::handshake);
                assertEquals("ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE", e.code(), "Node's server code");
                ch.close();
                assertTrue(peer.awaitLine("error ").startsWith("ERR_SSL_"), peer.toString());
            }
        }
    }

    /** The same failure seen by loomnet's client and by Node's: same code and same message. */
    @Test
    void verification_failures_have_the_same_code_and_message_as_nodes() throws Exception {
        assertSameFailure(PKI.stranger, "localhost");
        assertSameFailure(PKI.selfSigned, "localhost");
        assertSameFailure(PKI.expired, "localhost");
        assertSameFailure(PKI.server, "wrong.example");
    }

    private static void assertSameFailure(TestPki.Identity served, String servername) throws Exception {
        NetException ours;
        try (ServerSocketChannel listener = TlsPair.listener()) {
            TlsContext servers = server(b -> b.key(served.keyText()).cert(served.certText()));
            try (SocketChannel c = SocketChannel.open(listener.getLocalAddress()); SocketChannel s = listener.accept()) {
                TlsChannel serverSide = TlsPair.serverOn(s, servers);
                Thread t = Thread.ofVirtual().start(() -> {
                    try {
                        serverSide.handshake();
                    } catch (NetException e) {
                        // the client refuses: expected
                    }
                });
                TlsChannel clientSide = TlsPair.clientOn(c, client(b -> b.servername(servername)), "localhost",
                        port(listener));
                ours = assertThrows(NetException.class, clientSide::handshake);
                c.close();
                t.join(TlsPair.WAIT);
            }
            Map<String, Object> o = NodeTlsPeer.trusting(PKI.ca);
            o.put("servername", servername);
            try (PeerProcess peer = NodeTlsPeer.start("client", port(listener), o); SocketChannel ch = listener.accept()) {
                TlsChannel tls = TlsPair.serverOn(ch, servers);
                try {
                    tls.handshake();
                } catch (NetException e) {
                    // TLS 1.3: Node's client finishes the handshake, then refuses; either way is fine here
                }
                String theirs = peer.awaitLine("error ");
                assertEquals(theirs, ours.code() + " " + ours.getMessage(), "Node's client and loomnet's");
            }
        }
    }

    @Test
    void resumption_both_ways() throws Exception {
        Map<String, Object> o = NodeTlsPeer.serving(PKI.server);
        o.put("connections", 2);
        try (PeerProcess peer = NodeTlsPeer.start("server", 0, o)) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            TlsContext clients = client(b -> { });
            List<Boolean> reused = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                TlsChannel tls = connectTo(port, clients, "localhost");
                try (SocketChannel ch = channelOf(tls)) {
                    tls.handshake();
                    reused.add(tls.info().sessionReused());
                    TlsPair.write(tls, "x");
                    TlsPair.readExactly(tls, 1);          // the echo; Node's ticket came before it
                    tls.shutdownOutput();
                    assertEquals(-1, tls.read(ByteBuffer.allocate(10)));
                }
            }
            assertEquals(List.of(false, true), reused);
            peer.awaitExit();
            assertEquals(List.of("false", "true"), peer.lines().stream().filter(l -> l.startsWith("secure "))
                    .map(l -> NodeTlsPeer.field(l, "reused")).toList());
        }
        try (ServerSocketChannel listener = TlsPair.listener()) {
            TlsContext servers = server(b -> { });
            Map<String, Object> c = NodeTlsPeer.trusting(PKI.ca);
            c.put("connections", 2);
            c.put("resume", true);
            c.put("mode", "send");
            c.put("size", 1000);
            try (PeerProcess peer = NodeTlsPeer.start("client", port(listener), c)) {
                List<Boolean> reused = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    try (SocketChannel ch = listener.accept()) {
                        TlsChannel tls = TlsPair.serverOn(ch, servers);
                        tls.handshake();
                        reused.add(tls.info().sessionReused());
                        TlsFlows.echo(tls);
                    }
                }
                assertEquals(List.of(false, true), reused);
                peer.awaitExit();
                assertEquals(List.of("false", "true"), peer.lines().stream().filter(l -> l.startsWith("secure "))
                        .map(l -> NodeTlsPeer.field(l, "reused")).toList());
            }
        }
    }

    @Test
    void half_open_node_writes_after_our_close_notify() throws Exception {
        Map<String, Object> o = NodeTlsPeer.serving(PKI.server);
        o.put("mode", "halfopen");
        try (PeerProcess peer = NodeTlsPeer.start("server", 0, o)) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            TlsChannel tls = connectTo(port, client(b -> { }), "localhost");
            try (SocketChannel ch = channelOf(tls)) {
                tls.handshake();
                TlsPair.write(tls, "hello");
                tls.shutdownOutput();
                peer.awaitLine("end");
                assertEquals("after-end", new String(TlsPair.readExactly(tls, 9), StandardCharsets.UTF_8));
                assertEquals(-1, tls.read(ByteBuffer.allocate(10)));
                assertTrue(tls.closeNotified());
            }
        }
    }

    private static int port(ServerSocketChannel listener) throws IOException {
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    /** The channel a {@link #connectTo} client runs on, for try-with-resources. */
    private static SocketChannel channelOf(TlsChannel tls) {
        return tls.channel();
    }
}
