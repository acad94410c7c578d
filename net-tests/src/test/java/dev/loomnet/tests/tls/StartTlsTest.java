package dev.loomnet.tests.tls;

import static dev.loomnet.tests.tls.TlsFixtures.PKI;
import static dev.loomnet.tests.tls.TlsFixtures.code;
import static dev.loomnet.tests.tls.TlsFixtures.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.testing.NodeTlsPeer;
import dev.loomnet.testing.PeerProcess;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.Catalog;
import dev.loomnet.tests.tls.TlsFixtures.Log;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * STARTTLS: a plain connection taken over by TLS in the middle ({@code tls.connect({socket})} as
 * {@link Tls#connect(Socket, TlsOptions)}, {@code new tls.TLSSocket(socket, {isServer: true})} as
 * {@link Tls#accept(Socket, TlsOptions)}), between loomnet's own sides, with the machine's {@code node} on the
 * other side, and its refusals.
 */
class StartTlsTest {

    @TempDir
    Path dir;

    /**
     * A plain server speaking a STARTTLS protocol: at the client's {@code STARTTLS} it answers {@code OK} in
     * plaintext and takes the connection over with {@link Tls#accept}; the TLS side echoes.
     */
    private Server startTlsServer(Transport transport) {
        TlsOptions options = TlsFixtures.serverOptions().build();
        // tag::starttls-server[]
        Server server = Net.createServer(raw -> raw.once(Socket.DATA, command -> {   // "STARTTLS\r\n"
            raw.write("OK\r\n");                          // plaintext, sent before the handshake
            TlsSocket tls = Tls.accept(raw, options);
            tls.on(Socket.DATA, tls::write).on(Socket.END, () -> tls.end());
        }));
        // end::starttls-server[]
        transport.listen(server, dir);
        return server;
    }

    /** A TLS socket made by an upgrade, and its events recorded from the start. */
    private record Upgraded(TlsSocket socket, Log log) {
    }

    /**
     * The client's half: {@code STARTTLS}, and at the answer {@link Tls#connect(Socket, TlsOptions)}, whose
     * listeners are added right there, in the listener that made it (Node's tick: added later from another
     * thread, they could miss {@code SECURE}); {@code onSecure} runs at {@link TlsSocket#SECURE}.
     */
    private static Upgraded startTlsClient(Socket raw, TlsOptions options, java.util.function.Consumer<TlsSocket> onSecure) {
        CompletableFuture<Upgraded> upgraded = new CompletableFuture<>();
        raw.on(Socket.CONNECT, () -> raw.write("STARTTLS\r\n"));
        raw.once(Socket.DATA, answer -> {
            assertEquals("OK\r\n", new String(answer, StandardCharsets.US_ASCII));
            TlsSocket tls = Tls.connect(raw, options);
            Log log = Log.of(tls, true);
            tls.on(TlsSocket.SECURE, () -> onSecure.accept(tls));
            upgraded.complete(new Upgraded(tls, log));
        });
        return upgraded.join();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void both_sides_switch_to_tls_in_the_middle_and_the_plain_sockets_close_after(Transport transport) {
        Server server = startTlsServer(transport);
        Socket raw = Net.connect(transport.connectOptions(server).build());
        Log plain = Log.of(raw, false);
        Upgraded up = startTlsClient(raw, TlsFixtures.clientOptions().servername("localhost").build(),
                tls -> tls.end("hello over TLS"));
        TlsSocket client = up.socket();
        Log log = up.log().awaitClosed();
        assertEquals("hello over TLS", log.text());
        assertEquals(List.of("secureConnect", "data", "end", "close:false"),
                log.events.stream().filter(e -> !e.equals("finish")).toList(), "the events of Node's order");
        assertTrue(log.errors.isEmpty(), log.events::toString);
        assertFalse(log.events.contains("connect"), "no CONNECT: the plain socket announced the connection");
        assertTrue(client.authorized());
        assertTrue(client.encrypted());
        assertEquals("localhost", client.servername());
        plain.awaitClosed();
        assertEquals(List.of("connect", "ready", "close:false"), plain.events, "the plain side: no END, no error");
        waitFor().until(() -> server.openConnections().isEmpty());
        server.close();
    }

    @Test
    void the_host_the_plain_socket_connected_to_is_the_name_checked_and_a_wrong_one_fails_with_nodes_code() {
        Server server = startTlsServer(Transport.TCP4);
        Socket raw = Net.connect(server.address().port(), "localhost");
        Upgraded up = startTlsClient(raw, TlsFixtures.clientOptions().build(), tls -> tls.end("named"));
        TlsSocket client = up.socket();
        Log log = up.log().awaitClosed();
        assertEquals("named", log.text(), log.events::toString);
        assertEquals("localhost", client.servername());

        Socket raw2 = Net.connect(server.address().port(), "127.0.0.1");
        Log plain = Log.of(raw2, false);
        Log failed = startTlsClient(raw2, TlsFixtures.clientOptions().servername("example.org").build(),
                tls -> { }).log().awaitClosed();
        assertEquals("ERR_TLS_CERT_ALTNAME_INVALID", code(failed.error()), failed.events::toString);
        plain.awaitClosed();
        assertEquals(List.of("close:false"), plain.events.stream().filter(e -> e.startsWith("close")).toList());
        server.close();
    }

    @Test
    void plaintext_written_before_the_upgrade_arrives_before_the_handshake_and_later_plain_writes_fail() {
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> lateWrite = new AtomicReference<>();
        Server server = Net.createServer(raw -> raw.once(Socket.DATA, line -> {
            raw.write("OK ");
            raw.write("then TLS\r\n");
            TlsSocket tls = Tls.accept(raw, TlsFixtures.serverOptions().build(), () -> seen.add("secure"));
            raw.write("too late", lateWrite::set);
            tls.on(Socket.DATA, tls::write).on(Socket.END, () -> tls.end());
        }));
        Transport.TCP4.listen(server, dir);
        Socket raw = Net.connect(server.address().port(), "127.0.0.1");
        raw.on(Socket.CONNECT, () -> raw.write("STARTTLS\r\n"));
        StringBuilder answer = new StringBuilder();
        CompletableFuture<Log> upgraded = new CompletableFuture<>();
        raw.on(Socket.DATA, chunk -> {
            answer.append(new String(chunk, StandardCharsets.US_ASCII));
            if (answer.toString().endsWith("\r\n") && !upgraded.isDone()) {
                TlsSocket tls = Tls.connect(raw, TlsFixtures.clientOptions().servername("localhost").build());
                tls.on(TlsSocket.SECURE_CONNECT, () -> tls.end("echo me"));
                upgraded.complete(Log.of(tls, true));
            }
        });
        Log log = upgraded.join().awaitClosed();
        assertEquals("OK then TLS\r\n", answer.toString());
        assertEquals("echo me", log.text());
        waitFor().until(() -> seen.contains("secure") && lateWrite.get() != null);
        assertEquals(NetException.ERR_STREAM_DESTROYED, code(lateWrite.get()));
        server.close();
    }

    @Test
    void a_read_of_the_plain_input_stream_waiting_at_the_upgrade_hands_the_handshake_to_tls() throws Exception {
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        Server server = Net.createServer(accepted::complete);
        Transport.TCP4.listen(server, dir);
        Socket raw = Net.connect(server.address().port(), "127.0.0.1");
        raw.write("STARTTLS");
        Socket serverRaw = accepted.join();
        AtomicReference<String> command = new AtomicReference<>();
        AtomicReference<Integer> pendingRead = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                byte[] b = new byte[64];
                java.io.InputStream in = serverRaw.inputStream();
                command.set(new String(b, 0, in.readNBytes(b, 0, 8), StandardCharsets.US_ASCII));
                pendingRead.set(in.read(b));              // the read loop reads ahead no more: this one waits
            } catch (java.io.IOException e) {
                pendingRead.set(-2);
            }
        });
        waitFor().until(() -> command.get() != null && reader.getState() == Thread.State.WAITING);
        assertEquals("STARTTLS", command.get());
        TlsSocket serverTls = Tls.accept(serverRaw, TlsFixtures.serverOptions().build());
        serverTls.on(Socket.DATA, serverTls::write).on(Socket.END, () -> serverTls.end());
        TlsSocket client = Tls.connect(raw, TlsFixtures.clientOptions().servername("localhost").build());
        client.on(TlsSocket.SECURE_CONNECT, () -> client.end("through TLS"));
        Log log = Log.of(client, true).awaitClosed();
        assertEquals("through TLS", log.text());
        assertTrue(log.errors.isEmpty(), log.events::toString);
        reader.join();
        assertEquals(-1, pendingRead.get());              // the plain stream ends: its bytes were the handshake's
        server.close();
    }

    @Test
    void a_paused_plain_socket_can_be_upgraded_and_its_destroy_takes_the_tls_socket_along() {
        Server server = startTlsServer(Transport.TCP4);
        Socket raw = Net.connect(server.address().port(), "127.0.0.1");
        CompletableFuture<TlsSocket> upgraded = new CompletableFuture<>();
        raw.on(Socket.CONNECT, () -> raw.write("STARTTLS\r\n"));
        raw.once(Socket.DATA, answer -> {
            raw.pause();
            Thread.ofVirtual().start(() -> upgraded.complete(
                    Tls.connect(raw, TlsFixtures.clientOptions().servername("localhost").build())));
        });
        TlsSocket client = upgraded.join();
        Log log = Log.of(client, true);
        Log plain = Log.of(raw, false);
        client.on(TlsSocket.SECURE_CONNECT, () -> client.write("ping"));
        waitFor().until(() -> log.text().equals("ping"));
        raw.destroy();
        log.awaitClosed();
        plain.awaitClosed();
        assertTrue(log.errors.isEmpty(), log.events::toString);
        assertTrue(plain.errors.isEmpty(), plain.events::toString);
        waitFor().until(() -> server.openConnections().isEmpty());
        server.close();
    }

    /** Node's proxy idiom: {@code tls.connect({socket: net.connect(...)})} while the plain socket still connects. */
    @Test
    void a_still_connecting_plain_socket_handshakes_once_connected() {
        TlsServer server = TlsFixtures.echo(Transport.TCP4, dir);
        java.util.concurrent.CountDownLatch resolve = new java.util.concurrent.CountDownLatch(1);
        Socket raw = gated(server.address().port(), resolve);
        assertTrue(raw.connecting());
        TlsSocket client = Tls.connect(raw, TlsFixtures.clientOptions().servername("localhost").build(),
                () -> { });
        resolve.countDown();
        Log log = Log.of(client, true);
        client.on(TlsSocket.SECURE_CONNECT, () -> client.end("through"));
        log.awaitClosed();
        assertEquals("through", log.text(), log.events::toString);
        server.close();
    }

    @Test
    void a_plain_socket_that_never_connects_closes_the_tls_socket_quietly_and_reports_its_error() {
        Server probe = Net.createServer(s -> { });
        Transport.TCP4.listen(probe, dir);
        int port = probe.address().port();
        probe.close();
        waitFor().until(() -> !probe.listening());
        java.util.concurrent.CountDownLatch resolve = new java.util.concurrent.CountDownLatch(1);
        Socket raw = gated(port, resolve);
        TlsSocket client = Tls.connect(raw, TlsFixtures.clientOptions().build());
        Log plain = Log.of(raw, false);
        Log log = Log.of(client, false);
        resolve.countDown();
        plain.awaitClosed();
        log.awaitClosed();
        assertEquals(NetException.ECONNREFUSED, code(plain.error()));
        assertEquals(List.of("close:false"), log.events);
    }

    @Test
    void a_failed_server_side_handshake_is_the_tls_sockets_error_and_both_close() {
        List<Log> logs = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(raw -> {
            TlsSocket tls = Tls.accept(raw, TlsFixtures.serverOptions().build());
            logs.add(Log.of(tls, false));
            logs.add(Log.of(raw, false));
        });
        Transport.TCP4.listen(server, dir);
        Socket client = Net.connect(server.address().port(), "127.0.0.1");
        client.on(Socket.CONNECT, () -> client.end("this is no TLS hello\r\n"));
        client.on(Socket.DATA, chunk -> { });
        waitFor().until(() -> logs.size() == 2 && logs.get(0).closed() && logs.get(1).closed());
        assertTrue(code(logs.get(0).error()).startsWith("ERR_SSL_"), logs.get(0).events::toString);
        assertEquals(List.of("close:false"), logs.get(1).events);
        server.close();
    }

    @Test
    void bad_sockets_are_refused_at_the_call_with_nodes_codes() {
        TlsServer tlsServer = TlsFixtures.echo(Transport.TCP4, dir);
        TlsSocket already = TlsFixtures.connect(tlsServer, b -> b);
        NetException e = assertThrows(NetException.class, () -> Tls.connect(already, TlsOptions.builder().build()));
        assertEquals(NetException.ERR_INVALID_ARG_TYPE, e.code());
        assertThrows(NetException.class, () -> Tls.connect((Socket) null, TlsOptions.builder().build()));
        already.destroy();

        Server server = Net.createServer(s -> s.on(Socket.DATA, chunk -> { }));
        Transport.TCP4.listen(server, dir);
        Socket destroyed = Net.createConnection(ConnectOptions.builder().port(server.address().port())
                .host("127.0.0.1").build());
        destroyed.destroy();
        assertEquals(NetException.ERR_SOCKET_CLOSED, assertThrows(NetException.class,
                () -> Tls.connect(destroyed, TlsOptions.builder().build())).code(), "destroyed");

        java.util.concurrent.CountDownLatch resolve = new java.util.concurrent.CountDownLatch(1);
        Socket connecting = gated(server.address().port(), resolve);
        assertEquals(NetException.ERR_SOCKET_CLOSED, assertThrows(NetException.class,
                () -> Tls.accept(connecting, TlsFixtures.serverOptions().build())).code(), "accept needs a connection");
        resolve.countDown();
        waitFor().until(() -> !connecting.connecting());
        connecting.end();
        assertEquals(NetException.ERR_SOCKET_CLOSED,
                assertThrows(NetException.class, () -> Tls.connect(connecting, TlsOptions.builder().build())).code(),
                "ended");
        connecting.destroy();

        Socket twice = Net.connect(server.address().port(), "127.0.0.1");
        waitFor().until(() -> !twice.connecting());
        TlsSocket first = Tls.connect(twice, TlsFixtures.clientOptions().build());
        assertEquals(NetException.ERR_SOCKET_CLOSED,
                assertThrows(NetException.class, () -> Tls.connect(twice, TlsOptions.builder().build())).code(),
                "upgraded already");
        first.destroy();
        waitFor().until(twice::destroyed);
        tlsServer.close();
        server.close();
    }

    @Test
    void node_client_upgrades_to_a_loomnet_server_that_accepts() throws Exception {
        nodeIsInstalled();
        Server server = startTlsServer(Transport.TCP4);
        Map<String, Object> o = NodeTlsPeer.trusting(PKI.ca);
        o.put("mode", "send");
        o.put("size", 1 << 20);
        try (PeerProcess peer = NodeTlsPeer.start("starttls-client", server.address().port(), o)) {
            assertEquals("\"OK\\r\\n\"", peer.awaitLine("plain "));
            peer.awaitLine("secure ");
            String[] sha = peer.awaitLine("sha ").split(" ");
            assertEquals(sha[0], sha[1], "Node's SHA-256 of what it sent and of what came back");
            peer.awaitLine("closed");
        }
        waitFor().until(() -> server.openConnections().isEmpty());
        server.close();
    }

    @Test
    void loomnet_client_upgrades_to_a_node_server_that_wraps_its_socket() throws Exception {
        nodeIsInstalled();
        try (PeerProcess peer = NodeTlsPeer.start("starttls-server", 0, NodeTlsPeer.serving(PKI.server))) {
            int port = Integer.parseInt(peer.awaitLine("listening "));
            Socket raw = Net.connect(port, "127.0.0.1");
            Log log = startTlsClient(raw, TlsFixtures.clientOptions().servername("localhost").build(),
                    tls -> tls.end("to node and back")).log().awaitClosed();
            assertEquals("to node and back", log.text(), log.events::toString);
            assertEquals("\"STARTTLS\\r\\n\"", peer.awaitLine("plain "));
            assertTrue(peer.awaitLine("secure ").contains("\"servername\":\"localhost\""));
            peer.awaitLine("end");
        }
    }

    /** A socket connecting to {@code localhost:port} whose name lookup waits for {@code resolve}. */
    private static Socket gated(int port, java.util.concurrent.CountDownLatch resolve) {
        return Net.connect(ConnectOptions.builder().port(port).host("localhost").lookup((host, family) -> {
            resolve.await();
            return List.of(new dev.loomnet.net.Lookup.Address("127.0.0.1", 4));
        }).build());
    }

    private static void nodeIsInstalled() throws Exception {
        Optional<String> why = PeerProcess.nodeMissing();
        assumeTrue(why.isEmpty(), () -> why.orElseThrow());
    }
}
