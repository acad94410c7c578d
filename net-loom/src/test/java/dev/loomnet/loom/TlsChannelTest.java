package dev.loomnet.loom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.NetException;
import dev.loomnet.testing.TestPki;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsChannel} over real loopback connections: handshakes, concurrent bulk transfer with a reader and a
 * writer thread on each side, Node's half-close, resumption, renegotiation refusal, Unix domain sockets.
 */
class TlsChannelTest {

    static final TestPki PKI = TestPki.get();
    private static final int MIB = 1 << 20;

    static TlsContext server(Consumer<TlsConfig.Builder> options) {
        TlsConfig.Builder b = TlsConfig.server().key(PKI.server.keyText()).cert(PKI.server.certText());
        options.accept(b);
        return TlsContext.of(b.build());
    }

    static TlsContext client(Consumer<TlsConfig.Builder> options) {
        TlsConfig.Builder b = TlsConfig.client().ca(PKI.ca.certText());
        options.accept(b);
        return TlsContext.of(b.build());
    }

    static Consumer<TlsConfig.Builder> only(String version) {
        return b -> b.minVersion(version).maxVersion(version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void the_handshake_reports_what_node_reports(String version) throws Exception {
        try (TlsPair p = TlsPair.tcp(client(only(version)), server(b -> { }), "localhost")) {
            p.handshake();
            TlsInfo c = p.client.info();
            TlsInfo s = p.server.info();
            assertEquals(version, c.protocol());
            assertEquals(version, s.protocol());
            assertEquals(c.cipher(), s.cipher());
            assertTrue(c.authorized(), "client authorized");
            assertNull(c.authorizationError());
            assertFalse(s.authorized(), "a server that did not request a certificate is not authorized (Node)");
            assertEquals("localhost", c.servername());
            assertEquals("localhost", s.servername());
            assertEquals(PKI.server.cert(), c.peerCertificates().get(0));
            assertEquals(List.of(), s.peerCertificates());
            assertFalse(c.sessionReused());
            assertNull(c.alpnProtocol());
            assertEquals(TlsChannel.Phase.OPEN, p.client.phase());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void thirty_two_mib_echo_with_reader_and_writer_running_at_once_on_both_sides(String version) throws Exception {
        try (TlsPair p = TlsPair.tcp(client(only(version)), server(b -> { }), "localhost")) {
            p.handshake();
            assertTrue(echo(p, 32 * MIB), "SHA-256 of what came back equals what was sent");
        }
    }

    /** The client sends and checks, the server echoes: both sides' readers and writers at once. */
    static boolean echo(TlsPair p, int total) throws Exception {
        CompletableFuture<Long> server = CompletableFuture.supplyAsync(() -> {
            try {
                return TlsFlows.echo(p.server);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        boolean ok = TlsFlows.sendAndCheckEcho(p.client, total);
        assertEquals(total, server.get(TlsPair.WAIT.toSeconds(), TimeUnit.SECONDS));
        return ok;
    }

    @Test
    void tls13_close_notify_is_end_and_the_peer_may_go_on_writing() throws Exception {
        try (TlsPair p = TlsPair.tcp(client(only("TLSv1.3")), server(b -> { }), "localhost")) {
            p.handshake();
            TlsPair.write(p.client, "last words");
            p.client.shutdownOutput();
            assertEquals("last words", new String(TlsPair.readExactly(p.server, 10), StandardCharsets.UTF_8));
            assertEquals(-1, p.server.read(ByteBuffer.allocate(10)));
            assertTrue(p.server.closeNotified(), "ended by close_notify, not a bare EOF");
            TlsPair.write(p.server, "still here");         // half-open: the server writes after END
            assertEquals("still here", new String(TlsPair.readExactly(p.client, 10), StandardCharsets.UTF_8));
            p.server.shutdownOutput();
            assertEquals(-1, p.client.read(ByteBuffer.allocate(10)));
            assertTrue(p.client.closeNotified());
        }
    }

    @Test
    void tls12_close_notify_is_end_and_the_peer_may_go_on_writing_too() throws Exception {
        try (TlsPair p = TlsPair.tcp(client(only("TLSv1.2")), server(b -> { }), "localhost")) {
            p.handshake();
            p.client.shutdownOutput();
            assertEquals(-1, p.server.read(ByteBuffer.allocate(10)));
            assertTrue(p.server.closeNotified());
            assertEquals(0, p.serverFlushes.get(), "the engine never saw the alert: no close_notify reply");
            TlsPair.write(p.server, "still here");
            assertEquals("still here", new String(TlsPair.readExactly(p.client, 10), StandardCharsets.UTF_8));
            p.server.shutdownOutput();
            assertEquals(-1, p.client.read(ByteBuffer.allocate(10)));
            NetException e = assertThrows(NetException.class, () -> TlsPair.write(p.server, "too late"));
            assertEquals(NetException.EPIPE, e.code(), "after this side's own end");
        }
    }

    @Test
    void a_bare_eof_is_end_too() throws Exception {
        try (TlsPair p = TlsPair.tcp(client(b -> { }), server(b -> { }), "localhost")) {
            p.handshake();
            p.clientChannel.shutdownOutput();               // FIN without close_notify
            assertEquals(-1, p.server.read(ByteBuffer.allocate(10)));
            assertFalse(p.server.closeNotified());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void the_second_connection_resumes_the_session(String version) throws Exception {
        TlsContext clients = client(only(version));
        TlsContext servers = server(b -> { });
        try (java.nio.channels.ServerSocketChannel listener = TlsPair.listener()) {
            resumeTwice(listener, clients, servers);
        }
    }

    /** Two connections to one port (the JDK's client cache key is host and port); the second must resume. */
    private static void resumeTwice(java.nio.channels.ServerSocketChannel listener, TlsContext clients,
                                    TlsContext servers) throws Exception {
        try (TlsPair first = TlsPair.tcp(listener, clients, servers, "localhost")) {
            first.handshake();
            assertFalse(first.client.info().sessionReused());
            assertFalse(first.server.info().sessionReused());
            TlsPair.write(first.server, "x");              // TLS 1.3: the ticket comes before it
            TlsPair.readExactly(first.client, 1);
            first.client.shutdownOutput();
            first.server.shutdownOutput();
        }
        try (TlsPair second = TlsPair.tcp(listener, clients, servers, "localhost")) {
            second.handshake();
            assertTrue(second.client.info().sessionReused(), "client: reused");
            assertTrue(second.server.info().sessionReused(), "server: reused");
            assertTrue(second.client.info().authorized(), "the verdict of the first handshake holds");
            TlsPair.write(second.client, "ok");
            assertEquals("ok", new String(TlsPair.readExactly(second.server, 2), StandardCharsets.UTF_8));
        }
    }

    @Test
    void the_session_option_resumes_with_another_context() throws Exception {
        TlsContext servers = server(b -> { });
        TlsResumption saved;
        try (java.nio.channels.ServerSocketChannel listener = TlsPair.listener()) {
            try (TlsPair first = TlsPair.tcp(listener, client(b -> { }), servers, "localhost")) {
                first.handshake();
                TlsPair.write(first.server, "x");
                TlsPair.readExactly(first.client, 1);
                saved = first.client.resumption();
            }
            TlsResumption previous = saved;
            try (TlsPair second = TlsPair.tcp(listener, client(b -> b.session(previous)), servers, "localhost")) {
                second.handshake();
                assertTrue(second.client.info().sessionReused());
                assertTrue(second.server.info().sessionReused());
            }
        }
    }

    @Test
    void a_tls12_renegotiation_is_refused() throws Exception {
        try (TlsPair p = TlsPair.tcp(client(only("TLSv1.2")), server(b -> { }), "localhost")) {
            p.handshake();
            p.client.engine().beginHandshake();             // a client-initiated renegotiation: a new ClientHello
            p.client.flush();
            NetException e = assertThrows(NetException.class, () -> p.server.read(ByteBuffer.allocate(100)));
            assertEquals(TlsErrors.ERR_TLS_RENEGOTIATION_DISABLED, e.code());
        }
    }

    @Test
    void a_tls12_hello_request_from_the_server_is_refused_too() throws Exception {
        try (TlsPair p = TlsPair.tcp(client(only("TLSv1.2")), server(b -> { }), "localhost")) {
            p.handshake();
            p.server.engine().beginHandshake();             // a server-initiated renegotiation: HelloRequest
            p.server.flush();
            NetException e = assertThrows(NetException.class, () -> p.client.read(ByteBuffer.allocate(100)));
            assertEquals(TlsErrors.ERR_TLS_RENEGOTIATION_DISABLED, e.code());
        }
    }

    @Test
    void plaintext_before_the_handshake_and_after_it_both_arrive_whole() throws Exception {
        try (TlsPair p = TlsPair.tcp(client(b -> { }), server(b -> { }), "localhost")) {
            p.handshake();
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                pieces.add("piece " + i + ";");
            }
            for (String piece : pieces) {
                TlsPair.write(p.server, piece);
            }
            String all = String.join("", pieces);
            byte[] got = TlsPair.readExactly(p.client, all.length());
            assertArrayEquals(all.getBytes(StandardCharsets.UTF_8), got);
        }
    }

    @Test
    void tls_over_a_unix_domain_socket() throws Exception {
        try (TlsPair p = TlsPair.unix(client(b -> { }), server(b -> { }), "localhost")) {
            p.handshake();
            assertEquals("TLSv1.3", p.client.info().protocol());
            assertTrue(echo(p, 4 * MIB));
        }
    }

    @Test
    void alpn_picks_the_servers_first_choice_that_the_client_offers() throws Exception {
        try (TlsPair p = TlsPair.tcp(client(b -> b.alpnProtocols("h2", "http/1.1")),
                server(b -> b.alpnProtocols("http/1.1", "h2")), "localhost")) {
            p.handshake();
            assertEquals("http/1.1", p.client.info().alpnProtocol());
            assertEquals("http/1.1", p.server.info().alpnProtocol());
        }
    }

    @Test
    void alpn_without_a_common_protocol_fails_with_nodes_codes() throws Exception {
        try (TlsPair p = TlsPair.tcp(client(b -> b.alpnProtocols("x")), server(b -> b.alpnProtocols("h2")),
                "localhost")) {
            TlsPair.Outcome o = p.handshakeBoth();
            assertNotNull(o.server());
            assertEquals(TlsErrors.ERR_SSL_NO_APPLICATION_PROTOCOL, o.server().code());
            assertNotNull(o.client());
            assertEquals("ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL", o.client().code());
        }
    }
}
