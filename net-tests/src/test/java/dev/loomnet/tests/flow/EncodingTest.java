package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Encoding;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Node's encoding names on real sockets: {@code setEncoding(name)}, {@code write(data, name)} and
 * {@code end(data, name)} (catalog #81, #82). Each encoding's rules are checked against Node itself, case by case, in
 * {@code dev.loomnet.loom.EncodingsTest}.
 */
class EncodingTest {

    @Test
    @Catalog(82)
    void node_encoding_names_are_case_insensitive_aliases() {
        Map<Encoding, List<String>> names = Map.of(
                Encoding.UTF8, List.of("utf8", "UTF8", "utf-8", "UTF-8", "Utf-8", ""),
                Encoding.UTF16LE, List.of("utf16le", "UTF-16LE", "ucs2", "UCS-2"),
                Encoding.LATIN1, List.of("latin1", "LATIN1", "binary", "Binary"),
                Encoding.ASCII, List.of("ascii", "ASCII"),
                Encoding.BASE64, List.of("base64", "BASE64"),
                Encoding.BASE64URL, List.of("base64url", "Base64Url"),
                Encoding.HEX, List.of("hex", "HEX"));
        names.forEach((encoding, aliases) -> aliases.forEach(name -> assertSame(encoding, Encoding.of(name), name)));
        assertSame(UTF_8, Encoding.UTF8.charset());
        for (String unknown : List.of("utf16", "utf-16", "us-ascii", "iso-8859-1", "buffer", "bogus")) {
            unknownEncoding(unknown, () -> Encoding.of(unknown));
        }
    }

    @Test
    @Catalog(82)
    void a_large_string_written_as_UTF8_and_read_with_setEncoding_UTF_8_arrives_whole() throws Exception {
        String big = "あ".repeat(40_960);                                   // test-net-large-string.js
        StringBuffer text = new StringBuffer();
        AtomicReference<Boolean> serverClosed = new AtomicReference<>();
        Server server = Net.createServer(s -> s.setEncoding("UTF-8").on(Socket.TEXT, text::append)
                .on(Socket.CLOSE, serverClosed::set)).listen(0, HOST);
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().on(Socket.CLOSE, closed::set).resume();
        client.connect(port(server), HOST, () -> client.end(big, "UTF8"));
        waitFor().until(() -> closed.get() != null && serverClosed.get() != null);
        server.close();
        assertEquals(big, text.toString());
        assertEquals(UTF_8, client.encoding());
    }

    @Test
    void hex_and_base64_are_written_as_bytes_and_read_as_text_with_the_last_group_at_the_end() throws Exception {
        StringBuffer text = new StringBuffer();
        AtomicReference<String> atEnd = new AtomicReference<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Server server = Net.createServer(s -> s.pipe(s)).listen(0, HOST);          // echo
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().setEncoding("base64").on(Socket.TEXT, text::append)
                .on(Socket.END, () -> atEnd.set(text.toString())).on(Socket.CLOSE, closed::set);
        assertSame(Encoding.BASE64.charset(), client.encoding());
        client.connect(port(server), HOST, () -> {
            client.write("68656C6C6F20zz99", "hex");                          // "hello ", then a bad pair
            client.write("d29y bGQ=ignored", "BASE64");                      // "world"
            client.end("IQ", "base64url");                                    // "!"
        });
        waitFor().until(() -> closed.get() != null);
        server.close();
        assertEquals("aGVsbG8gd29ybGQh", text.toString());                    // base64 of "hello world!"
        assertEquals("aGVsbG8gd29ybGQh", atEnd.get());
        assertFalse(closed.get());
        assertEquals(12, client.bytesWritten());
    }

    @Test
    @Catalog(81)
    void binary_round_trips_all_256_byte_values_by_name() throws Exception {
        Server server = Net.createServer(s -> s.pipe(s)).listen(0, HOST);      // echo, test-net-binary.js
        StringBuffer text = new StringBuffer();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().setEncoding("binary").on(Socket.TEXT, text::append)
                .on(Socket.DATA, bytes::writeBytes).on(Socket.CLOSE, closed::set);
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 256; c++) {
            all.append(c);
        }
        String binary = all.toString();
        client.connect(port(server), HOST, () -> client.end(binary, "binary"));
        waitFor().until(() -> closed.get() != null);
        server.close();
        assertEquals(binary, text.toString());
        assertEquals(256, bytes.size());
        for (int i = 0; i < 256; i++) {
            assertEquals((byte) i, bytes.toByteArray()[i]);
        }
        assertFalse(closed.get());
    }

    @Test
    void text_left_over_at_the_end_comes_before_END() throws Exception {
        StringBuffer text = new StringBuffer();
        AtomicReference<String> atEnd = new AtomicReference<>();
        Server server = Net.createServer(s -> s.end(new byte[] {1, 2, 3, 4, 5})).listen(0, HOST);
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().setEncoding("base64").on(Socket.TEXT, text::append)
                .on(Socket.END, () -> atEnd.set(text.toString())).on(Socket.CLOSE, closed::set);
        client.connect(port(server), HOST);
        waitFor().until(() -> closed.get() != null);
        server.close();
        assertEquals("AQIDBAU=", atEnd.get());                                 // "AQID" then, at the end, "BAU="
    }

    @Test
    void a_lone_surrogate_is_written_as_U_FFFD_in_UTF_8_as_in_Node() throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        AtomicReference<Boolean> serverClosed = new AtomicReference<>();
        Server server = collecting(got, serverClosed);
        Socket client = Net.socket().resume();
        client.connect(port(server), HOST, () -> {
            client.write("a\uD800b");
            client.end("?\uDE00", "utf8");
        });
        waitFor().until(() -> serverClosed.get() != null);
        server.close();
        assertArrayEquals(HexFormat.of().parseHex("61efbfbd623fefbfbd"), got.toByteArray());
    }

    @Test
    void setDefaultEncoding_sets_what_strings_written_without_an_encoding_become() throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        AtomicReference<Boolean> serverClosed = new AtomicReference<>();
        Server server = collecting(got, serverClosed);
        AtomicInteger callbacks = new AtomicInteger();
        Socket client = Net.socket().resume();
        assertEquals(UTF_8, client.defaultEncoding());
        unknownEncoding("bogus", () -> client.setDefaultEncoding("bogus"));
        client.connect(port(server), HOST, () -> {
            client.setDefaultEncoding("HEX");
            client.write("ff00");
            client.write("6869", e -> callbacks.incrementAndGet());
            client.write("a", "utf8");                                      // an explicit encoding wins
            client.end("21", e -> callbacks.incrementAndGet());
        });
        waitFor().until(() -> serverClosed.get() != null);
        server.close();
        assertArrayEquals(HexFormat.of().parseHex("ff0068696121"), got.toByteArray());   // as node v20 sends
        assertSame(Encoding.HEX.charset(), client.defaultEncoding());
        assertEquals(2, callbacks.get());
    }

    @Test
    void an_unknown_encoding_throws_at_the_call_and_nothing_is_queued_or_ended() throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        AtomicReference<Boolean> serverClosed = new AtomicReference<>();
        Server server = collecting(got, serverClosed);
        AtomicInteger callbacks = new AtomicInteger();
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().on(Socket.CLOSE, closed::set).resume();
        client.connect(port(server), HOST);
        waitFor().until(() -> client.remotePort() != 0);
        unknownEncoding("utf-32", () -> client.setEncoding("utf-32"));
        unknownEncoding("bogus", () -> client.write("x", "bogus"));
        unknownEncoding("bogus", () -> client.write("x", "bogus", e -> callbacks.incrementAndGet()));
        unknownEncoding("Hexa", () -> client.end("x", "Hexa"));
        unknownEncoding("Hexa", () -> client.end("x", "Hexa", e -> callbacks.incrementAndGet()));
        NetException nul = assertThrows(NetException.class, () -> client.write("x", (String) null));
        assertEquals(NetException.ERR_INVALID_ARG_TYPE, nul.code());
        assertEquals(UTF_8, client.encoding());
        assertEquals(0, client.bytesWritten());
        assertTrue(client.writable());
        client.end("ok", "latin1");
        waitFor().until(() -> closed.get() != null && serverClosed.get() != null);
        server.close();
        assertEquals("ok", got.toString(UTF_8));
        assertEquals(0, callbacks.get());
        assertFalse(closed.get());
    }

    /** A server whose connections' bytes all go to {@code got}; {@code closed} is set when one closes. */
    private static Server collecting(ByteArrayOutputStream got, AtomicReference<Boolean> closed) {
        return Net.createServer(s -> s.on(Socket.DATA, got::writeBytes).on(Socket.CLOSE, closed::set)).listen(0, HOST);
    }

    private static void unknownEncoding(String name, Executable call) {
        NetException e = assertThrows(NetException.class, call, name);
        assertEquals(NetException.ERR_UNKNOWN_ENCODING, e.code());
        assertEquals("Unknown encoding: " + name, e.getMessage());
    }

}
