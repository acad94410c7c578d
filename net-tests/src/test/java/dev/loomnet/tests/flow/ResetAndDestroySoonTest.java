package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.holdsFor;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.Catalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code resetAndDestroy()} (RST, catalog #119-#123) and {@code destroySoon()}. A reset is TCP's: its tests run over
 * TCP on 127.0.0.1 and ::1, and on a Unix domain socket {@code resetAndDestroy()} throws (a test of its own);
 * {@code destroySoon()} runs over every {@link Transport}.
 */
class ResetAndDestroySoonTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"TCP4", "TCP6"})
    @Catalog(120)
    void resetAndDestroy_gives_the_peer_read_ECONNRESET_and_closes_this_side_without_an_error(Transport transport)
            throws Exception {
        AtomicReference<Trace> serverTrace = new AtomicReference<>();
        AtomicReference<Throwable> peerError = new AtomicReference<>();
        Server server = transport.listen(Net.createServer(s -> serverTrace.set(Trace.of(s).also(s, peerError))), dir);
        Socket client = Net.socket();
        Trace c = Trace.of(client);
        transport.connect(client, server, () -> client.write("hello"));
        waitFor().until(() -> serverTrace.get() != null && serverTrace.get().count("data:hello") == 1);

        assertSame(client, client.resetAndDestroy());
        Trace s = serverTrace.get();
        waitFor().until(() -> c.closed() && s.closed());
        AtomicReference<Throwable> lateWrite = new AtomicReference<>();
        client.write("late", lateWrite::set);
        waitFor().until(() -> lateWrite.get() != null);
        server.close();

        assertEquals(List.of("close:false"), c.events);
        assertEquals(List.of("data:hello", "error:ECONNRESET", "close:true"), s.events);
        NetException reset = (NetException) peerError.get();
        assertEquals("read ECONNRESET", reset.getMessage());
        assertEquals("read", reset.syscall());
        assertEquals(NetException.ERR_STREAM_DESTROYED, ((NetException) lateWrite.get()).code());
    }

    @Test
    @Catalog(119)
    void resetAndDestroy_on_a_socket_that_never_connected_emits_ERR_SOCKET_CLOSED() throws Exception {
        Socket socket = Net.socket();
        Trace t = Trace.of(socket);
        socket.resetAndDestroy();
        waitFor().until(t::closed);
        assertEquals(List.of("error:ERR_SOCKET_CLOSED", "close:true"), t.events);
    }

    @Test
    void resetAndDestroy_on_a_unix_domain_socket_throws_ERR_INVALID_HANDLE_TYPE(@TempDir Path dir) throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::resume);
        Server server = Net.createServer(accepted).listen(dir.resolve("s.sock"));
        AtomicBoolean connected = new AtomicBoolean();
        Socket client = Net.socket().resume();
        Trace c = Trace.of(client);
        client.connect(dir.resolve("s.sock"), () -> connected.set(true));
        Socket peer = accepted.next();
        waitFor().until(connected::get);
        NetException e = assertThrows(NetException.class, client::resetAndDestroy);
        assertEquals(NetException.ERR_INVALID_HANDLE_TYPE, e.code());
        assertFalse(client.destroyed());
        client.destroy();
        waitFor().until(() -> c.closed() && peer.destroyed());
        server.close();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void destroySoon_flushes_every_queued_byte_sends_FIN_and_closes_without_waiting_for_the_peer(Transport transport)
            throws Exception {
        int total = 4 << 20;
        AtomicLong received = new AtomicLong();
        AtomicBoolean peerEnded = new AtomicBoolean();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, chunk -> received.addAndGet(chunk.length))
                .on(Socket.END, () -> peerEnded.set(true)));
        Server server = transport.listen(
                Net.createServer(ServerOptions.builder().allowHalfOpen(true).build(), accepted), dir);
        Socket client = Net.socket();
        Trace c = Trace.of(client);
        transport.connect(client, server, () -> {
            for (int i = 0; i < 64; i++) {
                client.write(new byte[total / 64]);
            }
            client.destroySoon();
            c.events.add("destroySoon:" + client.readyState().nodeName());
        });
        Socket peer = accepted.next();
        waitFor().until(c::closed);
        waitFor().until(peerEnded::get);
        assertEquals(total, received.get());
        assertTrue(peer.writable(), "the half-open peer did not end, and the client closed anyway");
        peer.end();
        waitFor().until(peer::destroyed);
        server.close();
        assertEquals(List.of("destroySoon:readOnly", "finish:readOnly", "close:false"), c.events);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"TCP4", "TCP6"})
    @Catalog(121)
    void resetAndDestroy_while_connecting_waits_for_the_connection_then_resets_it(Transport transport)
            throws Exception {     // #121
        AtomicReference<Throwable> peerError = new AtomicReference<>();
        AtomicReference<Trace> serverTrace = new AtomicReference<>();
        Server server = transport.listen(Net.createServer(s -> serverTrace.set(Trace.of(s).also(s, peerError))), dir);
        Socket client = Net.socket();
        Trace c = Trace.of(client);
        CountDownLatch lookup = new CountDownLatch(1);
        transport.connectHeld(client, server, lookup);
        assertTrue(client.connecting());
        assertSame(client, client.resetAndDestroy());
        lookup.countDown();
        waitFor().until(() -> c.closed() && serverTrace.get() != null && serverTrace.get().closed());
        server.close();
        assertEquals(List.of("close:false"), c.events);
        assertEquals(List.of("error:ECONNRESET", "close:true"), serverTrace.get().events);
        assertEquals("read ECONNRESET", peerError.get().getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"TCP4", "TCP6"})
    @Catalog(122)
    void resetAndDestroy_then_destroy_while_connecting_to_a_closed_port_gives_neither_connect_nor_error(
            Transport transport) { // #122
        Server gone = transport.listen(Net.createServer(), dir);
        int closedPort = Flow.port(gone);
        AtomicBoolean closed = new AtomicBoolean();
        gone.close(e -> closed.set(true));
        waitFor().untilTrue(closed);
        Socket client = Net.socket();
        Trace c = Trace.of(client);
        AtomicBoolean connected = new AtomicBoolean();
        client.on(Socket.CONNECT, () -> connected.set(true));
        CountDownLatch lookup = new CountDownLatch(1);
        transport.connectHeld(client, closedPort, lookup);
        client.resetAndDestroy();
        client.destroy();
        lookup.countDown();
        waitFor().until(c::closed);
        holdsFor(100).until(() -> c.events.size() == 1);
        assertEquals(List.of("close:false"), c.events);
        assertFalse(connected.get());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"TCP4", "TCP6"})
    @Catalog(123)
    void resetAndDestroy_of_every_accepted_socket_gives_every_client_ECONNRESET(Transport transport) throws Exception {
        // #123: and every accepted socket and the server emit close
        List<Trace> peers = new CopyOnWriteArrayList<>();
        Flow.Accepted accepted = new Flow.Accepted(s -> peers.add(Trace.of(s)));
        Server server = transport.listen(Net.createServer(accepted), dir);
        List<Trace> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket client = Net.socket();
            clients.add(Trace.of(client));
            transport.connect(client, server);
        }
        List<Socket> accepteds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            accepteds.add(accepted.next());
        }
        AtomicBoolean serverClosed = new AtomicBoolean();
        server.close(e -> serverClosed.set(true));
        for (Socket peer : accepteds) {
            peer.resetAndDestroy();
        }
        waitFor().until(() -> serverClosed.get() && clients.stream().allMatch(Trace::closed)
                && peers.stream().allMatch(Trace::closed));
        for (Trace c : clients) {
            assertEquals(List.of("error:ECONNRESET", "close:true"), c.events);
        }
        assertEquals(3, peers.size());
        for (Trace p : peers) {
            assertEquals(List.of("close:false"), p.events);
        }
    }
}
