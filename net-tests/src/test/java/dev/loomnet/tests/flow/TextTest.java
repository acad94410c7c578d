package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.Catalog;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code setEncoding} and the typed {@code TEXT} event over real sockets (catalog #79-#81). The decoder itself
 * is driven split by split in {@code dev.loomnet.tests.values.StringDecoderTest}.
 */
class TextTest {

    static final String TEXT = "L'État, c'est moi: ü € あ 😀 𝄞";
    static final byte[] BYTES = TEXT.getBytes(UTF_8);

    @Test
    @Catalog(79)
    void every_split_of_a_multibyte_text_across_two_reads_arrives_exact_through_TEXT() throws Exception {
        StringBuffer text = new StringBuffer();
        Flow.Accepted accepted = new Flow.Accepted(s -> s.setEncoding(UTF_8).on(Socket.TEXT, text::append));
        Server server = Net.createServer(accepted).listen(0, HOST);
        AtomicInteger closes = new AtomicInteger();
        Socket client = Net.socket(SocketOptions.builder().noDelay(true).build())
                .on(Socket.CLOSE, hadError -> closes.incrementAndGet()).resume();
        client.connect(port(server), HOST);
        Socket peer = accepted.next();
        peer.on(Socket.CLOSE, hadError -> closes.incrementAndGet());

        long sent = 0;
        for (int i = 1; i < BYTES.length; i++) {
            client.write(Arrays.copyOfRange(BYTES, 0, i));
            sent += i;
            long firstPart = sent;
            waitFor().until(() -> peer.bytesRead() == firstPart);      // read before the rest is even sent
            client.write(Arrays.copyOfRange(BYTES, i, BYTES.length));
            sent += BYTES.length - i;
            int copies = i;
            waitFor().until(() -> text.length() >= TEXT.length() * copies);
            assertEquals(TEXT.repeat(copies), text.toString(), "split at byte " + i);
        }
        client.end();
        waitFor().until(() -> closes.get() == 2);
        server.close();
    }

    @Test
    @Catalog(79)
    void two_pieces_written_while_connecting_arrive_as_the_exact_string() throws Exception {
        // Node's test-net-connect-buffer: the server reads with setEncoding('utf8'); the client writes "L'État,
        // c'est " and ends with "moi" before its connection exists (the lookup is held until both are queued)
        AtomicReference<String> atEnd = new AtomicReference<>();
        StringBuffer text = new StringBuffer();
        Server server = Net.createServer(s -> s.setEncoding("utf8").on(Socket.TEXT, text::append)
                .on(Socket.END, () -> atEnd.set(text.toString()))).listen(0, HOST);
        AtomicReference<Boolean> closed = new AtomicReference<>();
        AtomicReference<String> atCallback = new AtomicReference<>();
        Socket client = Net.socket().on(Socket.CLOSE, closed::set);
        CountDownLatch lookup = new CountDownLatch(1);
        Transport.TCP4.connectHeld(client, server, lookup);
        client.write("L'État, c'est ", error -> atCallback.set(error + " " + client.connecting() + " " + client.bytesWritten()));
        client.end("moi");
        boolean wasConnecting = client.connecting();
        lookup.countDown();
        waitFor().until(() -> closed.get() != null);
        server.close();
        assertTrue(wasConnecting);
        assertEquals("L'État, c'est moi", atEnd.get());
        assertEquals("null false 18", atCallback.get(), "the callback runs connected and sees both pieces' bytes");
    }

    @Test
    void an_incomplete_character_at_the_end_becomes_U_FFFD_before_END() throws Exception {
        AtomicReference<String> atEnd = new AtomicReference<>();
        StringBuffer text = new StringBuffer();
        Server server = Net.createServer(s -> s.on(Socket.TEXT, text::append)
                .on(Socket.END, () -> atEnd.set(text.toString()))).listen(0, HOST);
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().on(Socket.CLOSE, closed::set).resume();
        byte[] grin = "😀".getBytes(UTF_8);
        client.connect(port(server), HOST, () -> {
            client.write("ok ");
            client.end(Arrays.copyOf(grin, 2));
        });
        waitFor().until(() -> closed.get() != null);
        server.close();
        assertEquals("ok \uFFFD", atEnd.get());
    }

    /**
     * A closed socket read only through TEXT, connected again, reads again: it used to reset its flow as if
     * nobody read it (it has no DATA listener) and never read the second connection. Found by the chaos test's
     * reconnect group (ChaosTest prints the seed that reruns it).
     */
    @Test
    void a_socket_with_only_a_TEXT_listener_connected_again_after_close_reads_the_new_connection() throws Exception {
        Server server = Net.createServer(s -> s.resume().end("é€")).listen(0, HOST);
        StringBuffer text = new StringBuffer();
        AtomicInteger closes = new AtomicInteger();
        Socket client = Net.socket().on(Socket.TEXT, text::append)
                .on(Socket.CLOSE, hadError -> closes.incrementAndGet());
        Flow.connectTwice(client, server, closes, text::toString, "é€");
        assertEquals("é€é€", text.toString());
    }

    @Test
    @Catalog(81)
    void latin1_round_trips_all_256_byte_values() throws Exception {
        Server server = Net.createServer(s -> s.pipe(s)).listen(0, HOST);      // echo
        StringBuffer text = new StringBuffer();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().setEncoding(ISO_8859_1).on(Socket.TEXT, text::append)
                .on(Socket.DATA, bytes::writeBytes).on(Socket.CLOSE, closed::set);
        char[] all = new char[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (char) i;
        }
        String binary = new String(all);
        assertSame(ISO_8859_1, client.encoding());
        client.connect(port(server), HOST, () -> {
            client.write(binary, ISO_8859_1);
            client.end();
        });
        waitFor().until(() -> closed.get() != null);
        server.close();
        assertEquals(binary, text.toString());
        assertArrayEquals(binary.getBytes(ISO_8859_1), bytes.toByteArray());
        assertFalse(closed.get());
    }

    @Test
    @Catalog(80)
    void forty_thousand_three_byte_characters_arrive_as_exactly_as_many_characters() throws Exception {
        String big = "あ".repeat(40_960);                                   // catalog #80
        AtomicInteger chars = new AtomicInteger();
        AtomicInteger replacements = new AtomicInteger();
        AtomicInteger events = new AtomicInteger();
        AtomicReference<Boolean> serverClosed = new AtomicReference<>();
        Server server = Net.createServer(s -> s.setEncoding(UTF_8).on(Socket.TEXT, t -> {
            events.incrementAndGet();
            chars.addAndGet(t.length());
            replacements.addAndGet((int) t.chars().filter(c -> c == 0xFFFD).count());
        }).on(Socket.CLOSE, serverClosed::set)).listen(0, HOST);
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().on(Socket.CLOSE, closed::set).resume();
        client.connect(port(server), HOST, () -> client.end(big));
        waitFor().until(() -> closed.get() != null && serverClosed.get() != null);
        server.close();
        assertEquals(40_960, chars.get(), "over " + events.get() + " TEXT events");
        assertEquals(0, replacements.get());
    }
}
