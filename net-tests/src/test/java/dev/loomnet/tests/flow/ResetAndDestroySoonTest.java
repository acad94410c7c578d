package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.holdsFor;
import static dev.loomnet.tests.flow.Flow.port;
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

/** {@code resetAndDestroy()} (RST, catalog #119-#123) and {@code destroySoon()}. */
class ResetAndDestroySoonTest {

    @Test
    void resetAndDestroy_gives_the_peer_read_ECONNRESET_and_closes_this_side_without_an_error() throws Exception {
        AtomicReference<Trace> serverTrace = new AtomicReference<>();
        AtomicReference<Throwable> peerError = new AtomicReference<>();
        Server server = Net.createServer(s -> serverTrace.set(Trace.of(s).also(s, peerError))).listen(0, HOST);
        Socket client = Net.socket();
        Trace c = Trace.of(client);
        client.connect(port(server), HOST, () -> client.write("hello"));
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

    @Test
    void destroySoon_flushes_every_queued_byte_sends_FIN_and_closes_without_waiting_for_the_peer() throws Exception {
        int total = 4 << 20;
        AtomicLong received = new AtomicLong();
        AtomicBoolean peerEnded = new AtomicBoolean();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.DATA, chunk -> received.addAndGet(chunk.length))
                .on(Socket.END, () -> peerEnded.set(true)));
        Server server = Net.createServer(ServerOptions.builder().allowHalfOpen(true).build(), accepted)
                .listen(0, HOST);
        Socket client = Net.socket();
        Trace c = Trace.of(client);
        client.connect(port(server), HOST, () -> {
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

    @Test
    void resetAndDestroy_while_connecting_waits_for_the_connection_then_resets_it() throws Exception {     // #121
        AtomicReference<Throwable> peerError = new AtomicReference<>();
        AtomicReference<Trace> serverTrace = new AtomicReference<>();
        Server server = Net.createServer(s -> serverTrace.set(Trace.of(s).also(s, peerError))).listen(0, HOST);
        Socket client = Net.socket();
        Trace c = Trace.of(client);
        CountDownLatch lookup = new CountDownLatch(1);
        Flow.connectHeld(client, port(server), lookup);
        assertTrue(client.connecting());
        assertSame(client, client.resetAndDestroy());
        lookup.countDown();
        waitFor().until(() -> c.closed() && serverTrace.get() != null && serverTrace.get().closed());
        server.close();
        assertEquals(List.of("close:false"), c.events);
        assertEquals(List.of("error:ECONNRESET", "close:true"), serverTrace.get().events);
        assertEquals("read ECONNRESET", peerError.get().getMessage());
    }

    @Test
    void resetAndDestroy_then_destroy_while_connecting_to_a_closed_port_gives_neither_connect_nor_error() { // #122
        Server gone = Net.createServer().listen(0, HOST);
        int closedPort = port(gone);
        AtomicBoolean closed = new AtomicBoolean();
        gone.close(e -> closed.set(true));
        waitFor().untilTrue(closed);
        Socket client = Net.socket();
        Trace c = Trace.of(client);
        AtomicBoolean connected = new AtomicBoolean();
        client.on(Socket.CONNECT, () -> connected.set(true));
        CountDownLatch lookup = new CountDownLatch(1);
        Flow.connectHeld(client, closedPort, lookup);
        client.resetAndDestroy();
        client.destroy();
        lookup.countDown();
        waitFor().until(c::closed);
        holdsFor(100).until(() -> c.events.size() == 1);
        assertEquals(List.of("close:false"), c.events);
        assertFalse(connected.get());
    }

    @Test
    void resetAndDestroy_of_every_accepted_socket_gives_every_client_ECONNRESET() throws Exception {
        // #123: and every accepted socket and the server emit close
        List<Trace> peers = new CopyOnWriteArrayList<>();
        Flow.Accepted accepted = new Flow.Accepted(s -> peers.add(Trace.of(s)));
        Server server = Net.createServer(accepted).listen(0, HOST);
        List<Trace> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket client = Net.socket();
            clients.add(Trace.of(client));
            client.connect(port(server), HOST);
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
