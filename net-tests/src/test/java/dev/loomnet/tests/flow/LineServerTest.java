package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.loomnet.examples.LineServer;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The blocking-style example server ({@link LineServer}: a connection listener that reads lines from
 * {@code inputStream()} and answers on {@code outputStream()}) against a client.
 */
class LineServerTest {

    private Server server;
    private final List<Trace> accepted = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen() {
        server = LineServer.create();
        // Runs after the example's listener has returned (the connection is over by then), but in the same
        // CONNECTION task, so before the socket's END, FINISH and CLOSE, which wait in its event queue.
        server.on(Server.CONNECTION, s -> accepted.add(Trace.ofLifecycle(s)));
        server.listen(0, HOST);
    }

    @AfterEach
    void close() {
        waitFor().until(() -> server.connections() == 0);
        server.close();
    }

    @Test
    void several_commands_are_answered_in_order_over_blocking_streams() throws Exception {
        Socket client = Net.connect(port(server), HOST);
        OutputStream out = client.outputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(client.inputStream(), UTF_8));
        List<String> replies = List.of("HÉLLO WÖRLD", " two  spaces ", "LOWER-CASE COMMAND", "ERR unknown command",
                "BYE");
        out.write("UPPER héllo wörld\n".getBytes(UTF_8));
        assertEquals("HÉLLO WÖRLD", in.readLine());
        out.write("ECHO  two  spaces \nupper lower-case command\nFROB x\n".getBytes(UTF_8));
        assertEquals(" two  spaces ", in.readLine());
        assertEquals("LOWER-CASE COMMAND", in.readLine());
        assertEquals("ERR unknown command", in.readLine());
        out.write("QUIT\n".getBytes(UTF_8));
        assertEquals("BYE", in.readLine());
        assertNull(in.readLine());                                     // the server closed after QUIT
        waitFor().until(client::destroyed);
        assertEquals(replies.stream().mapToInt(r -> r.getBytes(UTF_8).length + 1).sum(), client.bytesRead());
    }

    @Test
    void a_client_that_ends_mid_line_gets_the_partial_line_answered_then_the_server_closes() throws Exception {
        StringBuffer replies = new StringBuffer();
        Socket client = Net.socket().on(Socket.TEXT, replies::append);
        Trace c = Trace.ofLifecycle(client);
        client.connect(port(server), HOST, () -> {
            client.write("ECHO first\n");
            client.end("ECHO partial");                                // no newline: the peer closes mid-line
        });
        waitFor().until(c::closed);
        assertEquals("first\npartial\n", replies.toString());
        assertEquals(List.of("finish:readOnly", "end:closed", "close:false"), c.events);
        waitFor().until(() -> accepted.size() == 1 && accepted.get(0).closed());
        assertEquals(List.of("end:closed", "close:false"), accepted.get(0).without("finish"));
    }

    @Test
    void QUIT_makes_the_server_answer_and_close_first() throws Exception {
        StringBuffer replies = new StringBuffer();
        Socket client = Net.socket().on(Socket.TEXT, replies::append);
        Trace c = Trace.ofLifecycle(client);
        client.connect(port(server), HOST, () -> client.write("ECHO hi\nQUIT\n"));
        waitFor().until(c::closed);
        assertEquals("hi\nBYE\n", replies.toString());
        // the server ended first: the client got END while still writable, then ended by itself
        assertEquals(List.of("end:writeOnly", "finish:closed", "close:false"), c.events);
        waitFor().until(() -> accepted.size() == 1 && accepted.get(0).closed());
        assertEquals("close:false", accepted.get(0).events.get(accepted.get(0).events.size() - 1));
    }

    /**
     * A client that resets mid-conversation: the example listens for {@code ERROR} (a reset is routine for it),
     * its {@code readLine()} then fails with an {@code IOException}, which loomnet does not report again because
     * the socket was already destroyed by that reset. Nothing reaches the uncaught exception handler (the test
     * guard fails the test otherwise) and the connection closes.
     */
    @Test
    void a_peer_reset_closes_the_connection_without_uncaught_errors() throws Exception {
        AtomicReference<String> reply = new AtomicReference<>();
        Socket client = Net.socket().on(Socket.TEXT, reply::set);
        Trace c = Trace.ofLifecycle(client);
        client.connect(port(server), HOST, () -> client.write("ECHO x\n"));
        waitFor().until(() -> "x\n".equals(reply.get()));
        client.resetAndDestroy();
        waitFor().until(() -> c.closed() && server.connections() == 0);
        assertEquals(List.of("close:false"), c.events);
    }
}
