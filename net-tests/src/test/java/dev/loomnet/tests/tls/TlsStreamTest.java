package dev.loomnet.tests.tls;

import static dev.loomnet.tests.tls.TlsFixtures.connect;
import static dev.loomnet.tests.tls.TlsFixtures.holdsFor;
import static dev.loomnet.tests.tls.TlsFixtures.random;
import static dev.loomnet.tests.tls.TlsFixtures.sha256;
import static dev.loomnet.tests.tls.TlsFixtures.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.tls.TlsFixtures.Log;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@link TlsSocket} is a socket: half-close through {@code close_notify}, writes queued before the handshake,
 * timeouts, pause and resume, pipe, text, the blocking streams, and listeners added after {@code connect}.
 */
class TlsStreamTest {

    @TempDir
    Path dir;

    private TlsServer server(boolean allowHalfOpen, dev.loomnet.net.TlsConnectionListener onSecure) {
        return TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().allowHalfOpen(allowHalfOpen).build(),
                TlsFixtures.serverOptions().build(), onSecure);
    }

    private static TlsSocket halfOpenClient(TlsServer server, String version) {
        return Tls.connect(TlsFixtures.to(Transport.TCP4, server).allowHalfOpen(true).build(),
                TlsFixtures.clientOptions().servername("localhost").maxVersion(version).build());
    }

    /**
     * The client's {@code end()} is the server's {@code END} ({@code close_notify}); the server, half-open, goes
     * on writing, and the client reads it all and then the server's {@code END}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void the_client_ends_and_the_half_open_server_writes_on(String version) {
        List<String> serverSide = new CopyOnWriteArrayList<>();
        TlsServer server = server(true, s -> {
            s.on(Socket.DATA, d -> serverSide.add(new String(d, StandardCharsets.UTF_8)));
            s.on(Socket.END, () -> {
                serverSide.add("end");
                s.write("after ");
                s.end("end");
            });
            s.on(Socket.CLOSE, hadError -> serverSide.add("close:" + hadError));
        });
        TlsSocket client = halfOpenClient(server, version);
        Log log = Log.of(client, true);
        client.on(TlsSocket.SECURE_CONNECT, () -> client.end("bye"));
        log.awaitClosed();
        assertEquals("after end", log.text());
        // FINISH is posted once the close_notify and FIN are written; the server's answer may overtake it
        assertEquals(List.of("connect", "ready", "secureConnect", "data", "end", "close:false"), withoutFinish(log));
        waitFor().until(() -> serverSide.contains("close:false"));
        assertEquals(List.of("bye", "end", "close:false"), serverSide);
        server.close();
    }

    /** The other way round: the server ends first and the half-open client answers after the server's END. */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void the_server_ends_and_the_half_open_client_writes_on(String version) {
        Log serverLog = new Log();
        TlsServer server = server(true, s -> {
            s.on(Socket.DATA, serverLog::add);
            s.on(Socket.END, () -> serverLog.events.add("end"));
            s.on(Socket.CLOSE, hadError -> serverLog.events.add("close:" + hadError));
            s.end("server done");
        });
        TlsSocket client = halfOpenClient(server, version);
        Log log = Log.of(client, true);
        client.on(Socket.END, () -> client.end("client after end"));
        log.awaitClosed();
        assertEquals("server done", log.text());
        waitFor().until(() -> serverLog.events.contains("close:false"));
        assertEquals("client after end", serverLog.text());
        assertEquals(List.of("end", "close:false"), serverLog.events);
        server.close();
    }

    /** Writes made before {@code SECURE_CONNECT}, even an {@code end}, wait for the handshake and go in order. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void writes_before_the_handshake_are_delivered_in_order(Transport transport) {
        Log serverLog = new Log();
        TlsServer server = TlsFixtures.listen(transport, dir, ServerOptions.builder().build(),
                TlsFixtures.serverOptions().build(), s -> {
                    s.on(Socket.DATA, serverLog::add);
                    s.on(Socket.END, () -> serverLog.events.add("end"));
                });
        TlsSocket client = connect(transport, server, b -> b);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            String piece = i + ",";
            expected.append(piece);
            client.write(piece);
        }
        client.end("done");
        expected.append("done");
        assertTrue(client.bufferSize() > 0, "queued before the handshake, counted as plaintext");
        Log log = Log.of(client, false);
        log.awaitClosed();
        assertEquals(List.of("connect", "ready", "secureConnect", "end", "close:false"), withoutFinish(log));
        assertEquals(expected.toString(), serverLog.text());
        server.close();
    }

    @Test
    void set_timeout_fires_on_an_idle_tls_socket() {
        TlsServer server = server(false, s -> { });
        TlsSocket client = connect(server, b -> b);
        List<String> seen = new CopyOnWriteArrayList<>();
        client.setTimeout(Duration.ofMillis(100), () -> {
            seen.add("timeout");
            client.destroy();
        });
        Log log = Log.of(client, false).awaitClosed();
        assertEquals(List.of("timeout"), seen);
        assertTrue(log.events.contains("secureConnect"), log.events::toString);
        server.close();
    }

    @Test
    void pause_holds_decrypted_data_and_resume_delivers_it() {
        byte[] data = random(1 << 20, 9);
        TlsServer server = server(false, s -> s.end(data));
        TlsSocket client = connect(server, b -> b);
        Log log = Log.of(client, true);
        client.pause();
        holdsFor(150).until(() -> log.size() == 0);
        assertTrue(client.isPaused());
        client.resume();
        log.awaitClosed();
        assertArrayEquals(data, log.received());
        server.close();
    }

    @Test
    void pipe_echoes_through_tls_with_backpressure() {
        byte[] data = random(8 << 20, 11);
        TlsServer server = server(false, s -> s.pipe(s));
        TlsSocket client = connect(server, b -> b);
        Log log = Log.of(client, true);
        client.on(TlsSocket.SECURE_CONNECT, () -> client.end(data));
        log.awaitClosed();
        assertEquals(sha256(data), sha256(log.received()));
        server.close();
    }

    @Test
    void set_encoding_and_text_decode_characters_split_across_records() {
        String text = "héllo wörld, ☃ and 😀 ".repeat(2000);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        TlsServer server = server(false, s -> {
            for (int i = 0; i < bytes.length; i += 7) {                 // cuts through multi-byte characters
                s.write(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 7)));
            }
            s.end();
        });
        TlsSocket client = connect(server, b -> b);
        client.setEncoding(StandardCharsets.UTF_8);
        StringBuilder got = new StringBuilder();
        client.on(Socket.TEXT, got::append);
        Log log = Log.of(client, false).awaitClosed();
        assertTrue(log.errors.isEmpty());
        assertEquals(text, got.toString());
        server.close();
    }

    @Test
    void the_blocking_streams_work_on_a_tls_socket() throws Exception {
        byte[] data = random(2 << 20, 13);
        TlsServer server = server(false, s -> s.pipe(s));
        TlsSocket client = connect(server, b -> b);
        AtomicReference<byte[]> back = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = client.inputStream()) {
                back.set(in.readAllBytes());
            } catch (java.io.IOException e) {
                back.set(new byte[0]);
            }
        });
        try (OutputStream out = client.outputStream()) {
            for (int i = 0; i < data.length; i += 100_000) {
                out.write(data, i, Math.min(100_000, data.length - i));
            }
        }                                                 // close: end(), close_notify
        reader.join(TlsFixtures.WAIT);
        assertArrayEquals(data, back.get());
        waitFor().until(client::destroyed);
        server.close();
    }

    /** The unix socket file is a transport like any other under TLS (also covered by the echo tests). */
    @Test
    void a_tls_client_on_a_unix_socket_verifies_the_name_it_asks_for() {
        TlsServer server = TlsFixtures.listen(Transport.UNIX, dir, ServerOptions.builder().build(),
                TlsFixtures.serverOptions().build(), s -> s.end("over a file"));
        TlsSocket client = Tls.connect(ConnectOptions.builder().path(java.util.Objects.requireNonNull(
                server.address().path())).build(), TlsFixtures.clientOptions().build());
        Log log = Log.of(client, true).awaitClosed();
        assertEquals("over a file", log.text(), "no servername given: localhost, which the certificate names");
        server.close();
    }

    /**
     * The project's rule: listeners added right after {@code Tls.connect} returns, from the calling thread, still
     * see every event, {@code SECURE_CONNECT} included, in Node's order; repeated so that the handshake wins
     * the race to the listener in some rounds.
     */
    @Test
    void listeners_added_after_connect_returns_see_every_event() {
        TlsServer server = server(false, s -> s.end("hi"));
        for (int i = 0; i < 30; i++) {
            TlsSocket client = connect(server, b -> b);
            if (i % 2 == 1) {
                waitFor().until(() -> client.getProtocol() != null);      // the handshake surely came first
            }
            Log log = Log.of(client, true).awaitClosed();
            assertEquals(List.of("connect", "ready", "secureConnect", "data", "end", "finish", "close:false"),
                    log.events, "round " + i);
        }
        server.close();
    }

    @Test
    void the_server_emits_connection_then_secure_connection_for_the_same_socket() {
        List<Object> seen = new CopyOnWriteArrayList<>();
        TlsServer server = server(false, s -> {
            seen.add("secureConnection");
            seen.add(s);
            s.end();
        });
        server.on(dev.loomnet.net.Server.CONNECTION, s -> {
            seen.add("connection");
            seen.add(s);
        });
        Log log = Log.of(connect(server, b -> b), false).awaitClosed();
        assertTrue(log.errors.isEmpty());
        assertEquals(4, seen.size(), seen::toString);
        assertEquals("connection", seen.get(0));
        assertEquals("secureConnection", seen.get(2));
        assertTrue(seen.get(1) == seen.get(3) && seen.get(1) instanceof TlsSocket, "the same TlsSocket");
        server.close();
    }

    @Test
    void destroy_during_the_handshake_reports_nothing_more() {
        TlsServer server = server(false, s -> { });
        TlsSocket client = connect(server, b -> b);
        client.on(Socket.CONNECT, client::destroy);
        Log log = Log.of(client, false).awaitClosed();
        assertEquals(List.of("connect", "ready", "close:false"), log.events);
        server.close();
    }

    /**
     * A client socket that nobody reads still sees the server leave, even when the handshake finished before
     * its {@code CONNECT} could be emitted (here a {@code LOOKUP} listener holds the events until then).
     */
    @Test
    void an_unread_client_sees_the_server_leave_when_the_handshake_beat_connect() {
        java.util.concurrent.CountDownLatch secured = new java.util.concurrent.CountDownLatch(1);
        TlsServer server = server(false, s -> {
            secured.countDown();
            s.destroy();
        });
        TlsSocket client = Tls.connect(server.address().port(), "localhost", TlsFixtures.clientOptions().build());
        client.on(Socket.LOOKUP, (error, address, family, host) -> secured.await(30, java.util.concurrent.TimeUnit.SECONDS));
        Log log = Log.of(client, false).awaitClosed();
        assertEquals(List.of("connect", "ready", "secureConnect", "end", "finish", "close:false"),
                log.events.stream().filter(e -> !e.startsWith("error:")).toList(), log.events::toString);
        server.close();
    }

    /**
     * The events without {@code finish}, which must be there once, after {@code secureConnect}: it is posted
     * once the FIN was written, and the peer's answer to that FIN may be read before.
     */
    private static List<String> withoutFinish(Log log) {
        List<String> events = List.copyOf(log.events);
        assertEquals(1, events.stream().filter("finish"::equals).count(), events::toString);
        assertTrue(events.indexOf("finish") > events.indexOf("secureConnect"), events::toString);
        return events.stream().filter(e -> !e.equals("finish")).toList();
    }
}
