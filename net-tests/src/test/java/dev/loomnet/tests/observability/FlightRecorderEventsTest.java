package dev.loomnet.tests.observability;

import static dev.loomnet.tests.observability.Recorded.CONNECTION;
import static dev.loomnet.tests.observability.Recorded.DROP;
import static dev.loomnet.tests.observability.Recorded.LISTENING;
import static dev.loomnet.tests.observability.Recorded.SERVER_CLOSED;
import static dev.loomnet.tests.observability.Recorded.TLS_HANDSHAKE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.DropInfo;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsClientErrorListener;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import jdk.jfr.consumer.RecordedEvent;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * loomnet's Flight Recorder events, recorded around real loopback connections and read back from the file:
 * one {@code dev.loomnet.Connection} per side with its addresses, duration, bytes and ending, the server's
 * listening and close, {@code DROP}, and the TLS handshake. Each test waits for every {@code CLOSE} before it
 * stops the recording (the events are committed before {@code CLOSE} is emitted).
 */
class FlightRecorderEventsTest {

    private static final String V4 = "127.0.0.1";

    @TempDir
    Path dir;

    private static ConditionFactory waiting() {
        return await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    /** A server on 127.0.0.1 that runs {@code onConnection} on each accepted socket and notes its close. */
    private static final class Served {
        final List<Socket> sockets = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final AtomicBoolean closed = new AtomicBoolean();
        final Server server;
        private final int port;

        Served(Consumer<Socket> onConnection) {
            server = Net.createServer(s -> {
                s.on(Socket.ERROR, errors::add);
                s.on(Socket.CLOSE, hadError -> sockets.add(s));
                onConnection.accept(s);
            }).listen(0, V4);
            port = server.address().port();
        }

        int port() {
            return port;
        }

        void close() {
            server.close(e -> closed.set(true));
            waiting().untilTrue(closed);
        }
    }

    /** A client that notes its close and error. */
    private static final class Client {
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final Socket socket = Net.socket();

        Client() {
            socket.on(Socket.ERROR, error::set).on(Socket.CLOSE, hadError -> closed.set(true));
        }
    }

    private static RecordedEvent connection(Recorded rec, String side, int localPort, int remotePort) {
        return rec.one(CONNECTION, e -> e.getString("side").equals(side) && e.getInt("localPort") == localPort
                && e.getInt("remotePort") == remotePort);
    }

    private static void assertConnection(RecordedEvent e, String ending, long read, long written,
                                         Duration atMost) {
        assertEquals(ending, e.getString("ending"), e::toString);
        assertEquals(read, e.getLong("bytesRead"), e::toString);
        assertEquals(written, e.getLong("bytesWritten"), e::toString);
        assertEquals(V4, e.getString("localAddress"));
        assertEquals(V4, e.getString("remoteAddress"));
        assertFalse(e.getBoolean("tls"));
        Duration open = e.getDuration("connectedFor");
        assertTrue(!open.isNegative() && open.compareTo(atMost) <= 0, open::toString);
    }

    @Test
    void a_clean_end_both_ways_records_each_side_with_addresses_duration_bytes_and_ending_end() throws Exception {
        long start = System.nanoTime();
        try (Recorded rec = Recorded.start(dir)) {
            Served served = new Served(s -> s.once(Socket.DATA, chunk -> s.end("bye")));
            Client client = new Client();
            client.socket.on(Socket.DATA, chunk -> { }).connect(served.port(), V4).write("hello");
            waiting().until(() -> client.closed.get() && served.sockets.size() == 1);
            served.close();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            rec.stop();

            int clientPort = client.socket.localPort();
            RecordedEvent serverSide = connection(rec, "server", served.port(), clientPort);
            assertConnection(serverSide, "end", 5, 3, elapsed);
            assertNull(serverSide.getString("errorCode"));
            RecordedEvent clientSide = connection(rec, "client", clientPort, served.port());
            assertConnection(clientSide, "end", 3, 5, elapsed);
            assertNull(clientSide.getString("errorCode"));
            assertTrue(serverSide.getLong("socketId") != clientSide.getLong("socketId"));
        }
    }

    @Test
    void a_server_records_where_it_listened_and_on_close_how_many_connections_it_accepted() throws Exception {
        try (Recorded rec = Recorded.start(dir)) {
            Served served = new Served(Socket::resume);
            for (int i = 0; i < 2; i++) {
                Client client = new Client();
                client.socket.connect(served.port(), V4, client.socket::end).resume();
                waiting().untilTrue(client.closed);
            }
            waiting().until(() -> served.sockets.size() == 2);
            served.close();
            rec.stop();

            RecordedEvent listening = rec.one(LISTENING, e -> e.getInt("port") == served.port());
            assertEquals(V4, listening.getString("address"));
            assertFalse(listening.getBoolean("tls"));
            RecordedEvent closed = rec.one(SERVER_CLOSED, e -> e.getInt("port") == served.port());
            assertEquals(V4, closed.getString("address"));
            assertEquals(2, closed.getLong("connectionsAccepted"));
            assertEquals(0, closed.getLong("connectionsDropped"));
            assertEquals(listening.getLong("serverId"), closed.getLong("serverId"));
            assertTrue(closed.getStartTime().isAfter(listening.getStartTime()));
        }
    }

    @Test
    void destroy_records_ending_destroy_and_the_peer_that_read_the_FIN_records_end() throws Exception {
        try (Recorded rec = Recorded.start(dir)) {
            Served served = new Served(Socket::resume);
            Client client = new Client();
            client.socket.connect(served.port(), V4, client.socket::destroy);
            waiting().until(() -> client.closed.get() && served.sockets.size() == 1);
            served.close();
            rec.stop();

            int clientPort = client.socket.localPort();
            RecordedEvent clientSide = connection(rec, "client", clientPort, served.port());
            assertEquals("destroy", clientSide.getString("ending"));
            assertNull(clientSide.getString("errorCode"));
            assertEquals("end", connection(rec, "server", served.port(), clientPort).getString("ending"));
        }
    }

    @Test
    void resetAndDestroy_records_ending_reset_and_the_peer_records_error_ECONNRESET() throws Exception {
        try (Recorded rec = Recorded.start(dir)) {
            AtomicBoolean gotData = new AtomicBoolean();
            Served served = new Served(s -> s.on(Socket.DATA, chunk -> gotData.set(true)));
            Client client = new Client();
            client.socket.connect(served.port(), V4).write("hello");
            waiting().untilTrue(gotData);
            client.socket.resetAndDestroy();
            waiting().until(() -> client.closed.get() && served.sockets.size() == 1);
            served.close();
            rec.stop();

            assertEquals(NetException.ECONNRESET, ((NetException) served.errors.get(0)).code());
            int clientPort = client.socket.localPort();
            RecordedEvent clientSide = connection(rec, "client", clientPort, served.port());
            assertEquals("reset", clientSide.getString("ending"));
            assertEquals(5, clientSide.getLong("bytesWritten"));
            RecordedEvent serverSide = connection(rec, "server", served.port(), clientPort);
            assertEquals("error", serverSide.getString("ending"));
            assertEquals(NetException.ECONNRESET, serverSide.getString("errorCode"));
            assertEquals(5, serverSide.getLong("bytesRead"));
        }
    }

    @Test
    void a_destroy_from_the_TIMEOUT_listener_of_an_idle_socket_records_ending_timeout() throws Exception {
        try (Recorded rec = Recorded.start(dir)) {
            Served served = new Served(Socket::resume);
            Client client = new Client();
            client.socket.setTimeout(Duration.ofMillis(100), client.socket::destroy);
            client.socket.connect(served.port(), V4);
            waiting().until(() -> client.closed.get() && served.sockets.size() == 1);
            served.close();
            rec.stop();

            int clientPort = client.socket.localPort();
            assertEquals("timeout", connection(rec, "client", clientPort, served.port()).getString("ending"));
            assertEquals("end", connection(rec, "server", served.port(), clientPort).getString("ending"));
        }
    }

    @Test
    void a_connection_dropped_for_maxConnections_records_a_Drop_and_no_server_side_connection() throws Exception {
        try (Recorded rec = Recorded.start(dir)) {
            List<DropInfo> drops = new CopyOnWriteArrayList<>();
            Served served = new Served(Socket::resume);
            served.server.maxConnections(0).on(Server.DROP, drops::add);
            Client client = new Client();
            client.socket.connect(served.port(), V4).resume();
            waiting().until(() -> client.closed.get() && drops.size() == 1);
            served.close();
            rec.stop();

            int clientPort = client.socket.localPort();
            RecordedEvent drop = rec.one(DROP, e -> e.getInt("localPort") == served.port());
            assertEquals(V4, drop.getString("localAddress"));
            assertEquals(V4, drop.getString("remoteAddress"));
            assertEquals(clientPort, drop.getInt("remotePort"));
            assertEquals(0, drop.getInt("maxConnections"));
            assertTrue(rec.of(CONNECTION, e -> e.getString("side").equals("server")
                    && e.getInt("localPort") == served.port()).isEmpty());
            RecordedEvent closed = rec.one(SERVER_CLOSED, e -> e.getInt("port") == served.port());
            assertEquals(0, closed.getLong("connectionsAccepted"));
            assertEquals(1, closed.getLong("connectionsDropped"));
            assertEquals(drop.getLong("serverId"), closed.getLong("serverId"));
        }
    }

    @Test
    void a_TLS_connection_records_both_handshakes_with_protocol_cipher_and_duration() throws Exception {
        TestPki pki = TestPki.get();
        try (Recorded rec = Recorded.start(dir)) {
            List<Socket> serverSides = new CopyOnWriteArrayList<>();
            TlsServer server = Tls.createServer(TlsOptions.builder().key(pki.server.keyText())
                    .cert(pki.server.certText()).build(), s -> {
                        s.on(Socket.CLOSE, hadError -> serverSides.add(s));
                        s.resume();
                        s.end("hi");
                    });
            server.listen(0, V4);
            int port = server.address().port();
            AtomicBoolean closed = new AtomicBoolean();
            TlsSocket client = Tls.connect(port, V4, TlsOptions.builder().ca(pki.ca.certText()).build());
            client.on(Socket.CLOSE, hadError -> closed.set(true)).resume();
            waiting().until(() -> closed.get() && serverSides.size() == 1);
            AtomicBoolean serverClosed = new AtomicBoolean();
            server.close(e -> serverClosed.set(true));
            waiting().untilTrue(serverClosed);
            rec.stop();

            int clientPort = client.localPort();
            for (String side : List.of("client", "server")) {
                RecordedEvent h = rec.one(TLS_HANDSHAKE, e -> e.getString("side").equals(side)
                        && e.getInt("remotePort") == (side.equals("client") ? port : clientPort));
                assertEquals(V4, h.getString("remoteAddress"));
                assertEquals("TLSv1.3", h.getString("protocol"), h::toString);
                assertTrue(h.getString("cipher").startsWith("TLS_"), h::toString);
                assertFalse(h.getBoolean("resumed"));
                assertNull(h.getString("errorCode"));
                assertTrue(h.getDuration().toNanos() > 0, h::toString);
                RecordedEvent c = rec.one(CONNECTION, e -> e.getLong("socketId") == h.getLong("socketId"));
                assertTrue(c.getBoolean("tls"));
                assertEquals("end", c.getString("ending"), c::toString);
            }
            assertTrue(rec.one(LISTENING, e -> e.getInt("port") == port).getBoolean("tls"));
        }
    }

    @Test
    void a_failed_TLS_handshake_records_the_code_the_client_reports() throws Exception {
        TestPki pki = TestPki.get();
        try (Recorded rec = Recorded.start(dir)) {
            List<TlsClientErrorListener.Failure> serverFailures = new CopyOnWriteArrayList<>();
            TlsServer server = Tls.createServer(TlsOptions.builder().key(pki.server.keyText())
                    .cert(pki.server.certText()).build(), s -> { });
            server.on(TlsServer.TLS_CLIENT_ERROR, (error, socket) -> serverFailures.add(
                    new TlsClientErrorListener.Failure(error, socket)));
            server.listen(0, V4);
            int port = server.address().port();
            AtomicBoolean closed = new AtomicBoolean();
            AtomicReference<Throwable> error = new AtomicReference<>();
            TlsSocket client = Tls.connect(port, V4, TlsOptions.builder().build());    // does not trust the CA
            client.on(Socket.ERROR, error::set).on(Socket.CLOSE, hadError -> closed.set(true));
            waiting().until(() -> closed.get() && serverFailures.size() == 1);
            AtomicBoolean serverClosed = new AtomicBoolean();
            server.close(e -> serverClosed.set(true));
            waiting().untilTrue(serverClosed);
            rec.stop();

            String code = ((NetException) error.get()).code();
            RecordedEvent h = rec.one(TLS_HANDSHAKE, e -> e.getString("side").equals("client")
                    && e.getInt("remotePort") == port);
            assertEquals(code, h.getString("errorCode"));
            assertNull(h.getString("protocol"));
            RecordedEvent s = rec.one(TLS_HANDSHAKE, e -> e.getString("side").equals("server")
                    && e.getInt("remotePort") == client.localPort());
            assertNotNull(s.getString("errorCode"), s::toString);
            RecordedEvent c = rec.one(CONNECTION, e -> e.getLong("socketId") == h.getLong("socketId"));
            assertEquals("error", c.getString("ending"));
            assertEquals(code, c.getString("errorCode"));
        }
    }
}
