package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Node's stream state properties on real sockets: {@code readableFlowing}, {@code readableEnded},
 * {@code writableEnded}, {@code writableFinished}, {@code writableNeedDrain}, {@code writableCorked} and
 * {@code writableHighWaterMark}, each read where Node's tests read them (inside the event that changes it).
 */
class StreamStateTest {

    @Test
    void readableFlowing_is_null_until_asked_for_data_then_follows_pause_resume_and_unpipe() throws Exception {
        Server server = Net.createServer(s -> s.end("x")).listen(0, HOST);
        Socket client = Net.socket();
        assertNull(client.readableFlowing());
        client.connect(port(server), HOST);
        assertNull(client.readableFlowing(), "connecting starts no flow");
        client.on(Socket.DATA, chunk -> { });
        assertEquals(Boolean.TRUE, client.readableFlowing());
        client.pause();
        assertEquals(Boolean.FALSE, client.readableFlowing());
        client.resume();
        assertEquals(Boolean.TRUE, client.readableFlowing());
        Socket other = Net.socket();
        assertNull(other.readableFlowing());
        other.pipe(client, false);
        assertEquals(Boolean.TRUE, other.readableFlowing());
        other.unpipe();
        assertEquals(Boolean.FALSE, other.readableFlowing());
        other.destroy();
        AtomicReference<Boolean> closed = new AtomicReference<>();
        client.on(Socket.CLOSE, closed::set);
        waitFor().until(() -> closed.get() != null);
        server.close();
    }

    @Test
    void ended_and_finished_turn_true_with_end_FINISH_and_END() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(s -> s.resume().on(Socket.END, s::end)).listen(0, HOST);
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().resume();
        assertFalse(client.writableEnded());
        assertFalse(client.writableFinished());
        assertFalse(client.readableEnded());
        client.on(Socket.FINISH, () -> seen.add("finish: finished=" + client.writableFinished()
                        + " ended=" + client.writableEnded()))
                .on(Socket.END, () -> seen.add("end: readableEnded=" + client.readableEnded()))
                .on(Socket.CLOSE, closed::set);
        client.connect(port(server), HOST, () -> {
            seen.add("connect: ended=" + client.writableEnded() + " readableEnded=" + client.readableEnded());
            client.end();
            seen.add("after end(): ended=" + client.writableEnded() + " finished=" + client.writableFinished());
        });
        waitFor().until(() -> closed.get() != null);
        server.close();
        assertEquals(List.of("connect: ended=false readableEnded=false", "after end(): ended=true finished=false",
                "finish: finished=true ended=true", "end: readableEnded=true"), seen);
        assertTrue(client.writableEnded() && client.writableFinished() && client.readableEnded(), "kept after close");
    }

    @Test
    void writableNeedDrain_holds_from_a_false_write_until_DRAIN() throws Exception {
        AtomicReference<Socket> peer = new AtomicReference<>();
        Server server = Net.createServer(s -> {
            s.pause();
            peer.set(s);
        }).listen(0, HOST);
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket(SocketOptions.builder().highWaterMark(1024).build()).on(Socket.CLOSE, closed::set);
        assertEquals(1024, client.writableHighWaterMark());
        client.on(Socket.DRAIN, () -> {
            seen.add("drain: needDrain=" + client.writableNeedDrain());
            client.end();
        });
        client.connect(port(server), HOST, () -> {
            seen.add("before: needDrain=" + client.writableNeedDrain());
            byte[] big = new byte[8 << 20];                 // more than the kernel's buffers take at once
            seen.add("write: " + client.write(big) + " needDrain=" + client.writableNeedDrain());
        });
        waitFor().until(() -> seen.size() == 2 && peer.get() != null);
        peer.get().resume();
        waitFor().until(() -> closed.get() != null);
        server.close();
        assertEquals(List.of("before: needDrain=false", "write: false needDrain=true", "drain: needDrain=false"), seen);
        assertEquals(SocketOptions.DEFAULT_HIGH_WATER_MARK, Net.socket().writableHighWaterMark());
    }

    @Test
    void writableCorked_counts_the_corks_still_to_uncork() {
        Socket socket = Net.socket();
        assertEquals(0, socket.writableCorked());
        socket.cork().cork();
        assertEquals(2, socket.writableCorked());
        socket.uncork();
        assertEquals(1, socket.writableCorked());
        socket.uncork().uncork();
        assertEquals(0, socket.writableCorked());
        socket.destroy();
    }

    @Test
    void errored_and_closed_report_how_the_socket_ended_and_clear_when_it_connects_again() throws Exception {
        Server server = Net.createServer(s -> s.resume().end()).listen(0, HOST);
        int port = port(server);
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicReference<Boolean> secondClose = new AtomicReference<>();
        IllegalStateException boom = new IllegalStateException("boom");
        Socket client = Net.socket().resume();
        assertNull(client.errored());
        assertFalse(client.closed());
        client.on(Socket.ERROR, e -> seen.add("error: errored=" + (client.errored() == boom) + " closed=" + client.closed()))
                .on(Socket.CLOSE, hadError -> {
                    seen.add("close: errored=" + (client.errored() == boom) + " closed=" + client.closed());
                    if (hadError) {                                 // connect again, as Node code does in 'close'
                        client.connect(port, HOST);
                        seen.add("reconnect: errored=" + client.errored() + " closed=" + client.closed());
                    } else {
                        secondClose.set(client.errored() == null && client.closed());
                    }
                });
        client.connect(port, HOST, () -> client.destroy(boom));
        waitFor().until(() -> secondClose.get() != null);
        server.close();
        assertEquals(List.of("error: errored=true closed=true", "close: errored=true closed=true",
                "reconnect: errored=null closed=false", "close: errored=false closed=true"), seen);
        assertTrue(secondClose.get(), "the second connection ended without an error");
    }
}
