package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * An accepted socket that nobody reads yet still reads ahead, as Node does from the moment a socket connects:
 * the peer's FIN with nothing unread emits {@code END} (so a server that only writes closes its sockets), and
 * bytes read ahead reach the first reader, listener or input stream, before anything else. A client reads
 * nothing until asked, so that listeners added from a plain thread after {@code connect()} miss nothing.
 */
class ReadAheadTest {

    @Test
    void a_server_that_only_writes_sees_the_clients_end_and_closes_its_socket() throws Exception {
        // Node's daytime-style server: no data listener, no resume. Before read-ahead its sockets never closed.
        List<String> serverEvents = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(s -> s.on(Socket.END, () -> serverEvents.add("end"))
                .on(Socket.CLOSE, hadError -> serverEvents.add("close:" + hadError))
                .end("the time is now\n")).listen(0, HOST);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        AtomicBoolean clientClosed = new AtomicBoolean();
        Net.socket().on(Socket.CLOSE, hadError -> clientClosed.set(true)).on(Socket.DATA, got::writeBytes)
                .connect(port(server), HOST);                          // CLOSE first: it may follow DATA at once
        waitFor().until(clientClosed::get);
        waitFor().until(() -> serverEvents.size() == 2);
        assertEquals(List.of("end", "close:false"), serverEvents);
        assertEquals("the time is now\n", got.toString(StandardCharsets.UTF_8));
        waitFor().until(() -> server.connections() == 0);
        AtomicBoolean closed = new AtomicBoolean();
        server.close(e -> closed.set(e == null));
        waitFor().until(closed::get);
    }

    @Test
    void bytes_read_ahead_are_the_first_chunk_of_a_data_listener_added_later() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted();
        Server server = Net.createServer(accepted).listen(0, HOST);
        Socket client = Net.connect(port(server), HOST).resume();    // a client reads only when asked
        Socket peer = accepted.next();
        byte[] first = Flow.randomBytes(3000, 1);
        client.write(first);
        waitFor().until(() -> peer.bytesRead() == first.length);       // read ahead, nobody listening
        List<byte[]> chunks = new CopyOnWriteArrayList<>();
        AtomicBoolean ended = new AtomicBoolean();
        peer.on(Socket.DATA, chunks::add).on(Socket.END, () -> ended.set(true));
        byte[] second = Flow.randomBytes(500, 2);
        client.end(second);
        waitFor().until(ended::get);
        assertArrayEquals(first, chunks.get(0), "the bytes read ahead, whole, first");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        chunks.forEach(all::writeBytes);
        assertEquals(first.length + second.length, all.size());
        assertArrayEquals(second, java.util.Arrays.copyOfRange(all.toByteArray(), first.length, all.size()));
        waitFor().until(() -> client.destroyed() && peer.destroyed());
        server.close();
    }

    @Test
    void the_input_stream_reads_the_bytes_read_ahead_first_then_the_rest_then_minus_one() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted();
        Server server = Net.createServer(ServerOptions.builder().allowHalfOpen(true).build(), accepted)
                .listen(0, HOST);
        Socket client = Net.connect(port(server), HOST).resume();    // a client reads only when asked
        Socket peer = accepted.next();
        client.write("early,");
        waitFor().until(() -> peer.bytesRead() == 6);
        InputStream in = peer.inputStream();
        byte[] buffer = new byte[4];
        assertEquals(4, in.read(buffer));                              // part of the read-ahead
        assertEquals("earl", new String(buffer, StandardCharsets.UTF_8));
        client.end("late");
        assertEquals("y,late", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(-1, in.read());
        assertEquals(10, peer.bytesRead());
        peer.end();
        waitFor().until(() -> client.destroyed() && peer.destroyed());
        server.close();
    }

    @Test
    void a_fin_met_by_the_read_ahead_emits_end_and_the_input_stream_then_returns_minus_one() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.on(Socket.END, () -> events.add("end")));
        Server server = Net.createServer(ServerOptions.builder().allowHalfOpen(true).build(), accepted)
                .listen(0, HOST);
        Socket client = Net.connect(port(server), HOST).resume().end();
        Socket peer = accepted.next();
        waitFor().until(() -> events.contains("end"));
        assertEquals(-1, peer.inputStream().read());                   // not "socket is closed"
        assertEquals(List.of("end"), events);
        peer.end();
        waitFor().until(() -> client.destroyed() && peer.destroyed());
        server.close();
    }

    @Test
    void a_reset_met_by_the_read_ahead_is_an_error_then_close_true() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Flow.Accepted accepted = new Flow.Accepted(s -> s
                .on(Socket.ERROR, e -> events.add("error:" + ((NetException) e).code()))
                .on(Socket.CLOSE, hadError -> events.add("close:" + hadError)));
        Server server = Net.createServer(accepted).listen(0, HOST);
        AtomicBoolean connected = new AtomicBoolean();
        Socket client = Net.connect(port(server), HOST, () -> connected.set(true));
        Socket peer = accepted.next();
        waitFor().until(connected::get);
        client.resetAndDestroy();
        waitFor().until(() -> events.size() == 2);
        assertEquals(List.of("error:ECONNRESET", "close:true"), events);
        assertTrue(peer.destroyed());
        server.close();
    }

    @Test
    void a_client_reads_ahead_and_listeners_added_after_connect_miss_nothing() throws Exception {
        // From a plain thread the listeners come after connect() returns, maybe after the read-ahead saw END:
        // the bytes wait for a DATA listener, END and CLOSE are kept for late listeners.
        Server server = Net.createServer(s -> s.end("bye")).listen(0, HOST);
        AtomicBoolean connected = new AtomicBoolean();
        Socket client = Net.connect(port(server), HOST, () -> connected.set(true));
        waitFor().until(connected::get);
        waitFor().until(() -> client.bytesRead() == 3);             // read ahead, nobody reading
        List<String> events = new CopyOnWriteArrayList<>();
        client.on(Socket.END, () -> events.add("end")).on(Socket.CLOSE, hadError -> events.add("close"))
                .on(Socket.DATA, chunk -> events.add(new String(chunk, StandardCharsets.UTF_8)));
        waitFor().until(() -> events.contains("close"));
        assertEquals(List.of("bye", "end", "close"), events);
        waitFor().until(() -> server.connections() == 0);
        server.close();
    }

    @Test
    void a_paused_socket_does_not_read_ahead() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted(Socket::pause);
        Server server = Net.createServer(accepted).listen(0, HOST);
        Socket client = Net.connect(port(server), HOST).resume();    // a client reads only when asked
        Socket peer = accepted.next();
        client.write("held");
        Flow.holdsFor(300).until(() -> peer.bytesRead() == 0);       // Node's pause() stops reading
        List<byte[]> chunks = new CopyOnWriteArrayList<>();
        peer.on(Socket.DATA, chunks::add).resume();
        waitFor().until(() -> peer.bytesRead() == 4);
        client.destroy();
        waitFor().until(peer::destroyed);
        server.close();
        assertEquals("held", new String(chunks.get(0), StandardCharsets.UTF_8));
    }

    @Test
    void a_client_nobody_reads_sees_the_servers_end_then_closes() throws Exception {
        Server server = Net.createServer(Socket::end).listen(0, HOST);
        List<String> events = new CopyOnWriteArrayList<>();
        Socket client = Net.socket();
        client.on(Socket.END, () -> events.add("end"))
                .on(Socket.ERROR, e -> events.add("error"))
                .on(Socket.CLOSE, hadError -> events.add("close:" + hadError));
        client.connect(port(server), HOST);
        waitFor().until(() -> events.contains("close:false"));
        assertEquals(List.of("end", "close:false"), events);
        waitFor().until(() -> server.connections() == 0);
        server.close();
    }

    @Test
    void a_client_nobody_reads_sees_the_servers_reset_as_econnreset_then_close_true() throws Exception {
        Flow.Accepted accepted = new Flow.Accepted();
        Server server = Net.createServer(accepted).listen(0, HOST);
        List<String> events = new CopyOnWriteArrayList<>();
        Socket client = Net.socket();
        client.on(Socket.ERROR, e -> events.add("error:" + ((NetException) e).code()))
                .on(Socket.CLOSE, hadError -> events.add("close:" + hadError));
        AtomicBoolean connected = new AtomicBoolean();
        client.connect(port(server), HOST, () -> connected.set(true));
        waitFor().until(connected::get);
        accepted.next().resetAndDestroy();
        waitFor().until(() -> events.size() == 2);
        assertEquals(List.of("error:ECONNRESET", "close:true"), events);
        server.close();
    }

    @Test
    void a_write_after_the_server_ended_a_client_nobody_reads_gets_epipe() throws Exception {
        Server server = Net.createServer(Socket::end).listen(0, HOST);
        List<String> events = new CopyOnWriteArrayList<>();
        List<Throwable> callback = new CopyOnWriteArrayList<>();
        Socket client = Net.socket();
        // After END the socket ends its side too (no half-open); a write from then on is Node's writeAfterFIN
        client.on(Socket.FINISH, () -> client.write("too late", callback::add))
                .on(Socket.ERROR, e -> events.add("error:" + ((NetException) e).code()))
                .on(Socket.CLOSE, hadError -> events.add("close:" + hadError));
        client.connect(port(server), HOST);
        waitFor().until(() -> callback.size() == 1 && events.size() == 2);
        assertEquals(NetException.EPIPE, ((NetException) callback.get(0)).code());
        assertEquals(List.of("error:EPIPE", "close:true"), events);
        waitFor().until(() -> server.connections() == 0);
        server.close();
    }

    @Test
    void a_socket_resumed_without_listeners_keeps_flowing_after_a_reconnect() throws Exception {
        byte[] big = new byte[200_000];                               // more than one read-ahead buffer
        Server server = Net.createServer(s -> s.end(big)).listen(0, HOST);
        List<String> closes = new CopyOnWriteArrayList<>();
        Socket client = Net.socket().resume();
        client.on(Socket.CLOSE, hadError -> closes.add("close:" + hadError));
        client.connect(port(server), HOST);
        waitFor().until(() -> closes.size() == 1);
        assertEquals(big.length, client.bytesRead());
        client.connect(port(server), HOST);                           // flowing still: reads it all, sees the FIN
        waitFor().until(() -> closes.size() == 2);
        assertEquals(List.of("close:false", "close:false"), closes);
        assertEquals(big.length, client.bytesRead());
        waitFor().until(() -> server.connections() == 0);
        server.close();
    }
}
