package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code resetAndDestroy()} (RST, catalog #119, #120) and {@code destroySoon()}. */
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
}
