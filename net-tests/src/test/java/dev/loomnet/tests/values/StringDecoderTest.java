package dev.loomnet.tests.values;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Encoding;
import dev.loomnet.net.NetException;
import dev.loomnet.net.StringDecoder;
import dev.loomnet.tests.Catalog;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StringDecoder}, the decoder of {@code Socket.TEXT}, driven directly so every split is exact (catalog
 * #79, #80); {@code NodeEncodingsTest} checks it against Node's, and {@code TextTest} on sockets.
 */
class StringDecoderTest {

    /** 1-, 2-, 3- and 4-byte UTF-8 characters, several of each, including a surrogate pair at the end. */
    static final String TEXT = "L'État, c'est moi: ü € あ 😀 𝄞 Ω €😀";
    static final byte[] BYTES = TEXT.getBytes(StandardCharsets.UTF_8);

    @Test
    @Catalog(79)
    void every_two_way_split_decodes_exactly() {
        for (int i = 0; i <= BYTES.length; i++) {
            StringDecoder d = new StringDecoder(StandardCharsets.UTF_8);
            String out = d.write(Arrays.copyOfRange(BYTES, 0, i)) + d.write(Arrays.copyOfRange(BYTES, i, BYTES.length))
                    + d.end();
            assertEquals(TEXT, out, "split at byte " + i);
        }
    }

    @Test
    void every_three_way_split_decodes_exactly() {
        for (int i = 0; i <= BYTES.length; i++) {
            for (int j = i; j <= BYTES.length; j++) {
                StringDecoder d = new StringDecoder(StandardCharsets.UTF_8);
                String out = d.write(Arrays.copyOfRange(BYTES, 0, i)) + d.write(Arrays.copyOfRange(BYTES, i, j))
                        + d.write(Arrays.copyOfRange(BYTES, j, BYTES.length)) + d.end();
                assertEquals(TEXT, out, "split at bytes " + i + " and " + j);
            }
        }
    }

    @Test
    void one_byte_at_a_time_decodes_exactly_and_never_emits_half_a_character() {
        StringDecoder d = new StringDecoder(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (byte b : BYTES) {
            String piece = d.write(new byte[] {b});
            if (!piece.isEmpty()) {
                assertEquals(1, piece.codePointCount(0, piece.length()), "one whole character per completed sequence");
                out.append(piece);
            }
        }
        assertEquals("", d.end());
        assertEquals(TEXT, out.toString());
    }

    @Test
    void an_incomplete_tail_becomes_one_replacement_character_at_the_end() {
        byte[] grin = "😀".getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < grin.length; cut++) {
            StringDecoder d = new StringDecoder(StandardCharsets.UTF_8);
            String body = d.write("ok".getBytes(StandardCharsets.UTF_8));
            String held = d.write(Arrays.copyOf(grin, cut));
            assertEquals("ok", body + held, "the partial character is held back (" + cut + " bytes)");
            assertEquals("\uFFFD", d.end(), cut + " of 4 bytes at the end");
        }
    }

    @Test
    void a_malformed_byte_in_the_middle_becomes_a_replacement_character() {
        StringDecoder d = new StringDecoder(StandardCharsets.UTF_8);
        assertEquals("a\uFFFDb", d.write(new byte[] {'a', (byte) 0xff, 'b'}) + d.end());
    }

    @Test
    void a_sequence_broken_off_across_chunks_becomes_one_replacement_character() {
        StringDecoder d = new StringDecoder(StandardCharsets.UTF_8);
        String out = d.write(new byte[] {'a', (byte) 0xe2, (byte) 0x82}) + d.write(new byte[] {'b'}) + d.end();
        assertEquals("a\uFFFDb", out);
    }

    @Test
    @Catalog(80)
    void forty_thousand_three_byte_characters_in_odd_chunks_decode_to_as_many_characters() {
        String big = "あ".repeat(40_960);                                 // catalog #80
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        StringDecoder d = new StringDecoder(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (int off = 0; off < bytes.length; off += 1000) {              // 1000 is not a multiple of 3
            out.append(d.write(Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + 1000))));
        }
        out.append(d.end());
        assertEquals(big, out.toString());
    }

    @Test
    void a_decoder_by_Node_name_holds_back_base64_groups_and_starts_afresh_after_end() {
        StringDecoder d = new StringDecoder("BASE64");
        assertSame(Encoding.BASE64.charset(), d.charset());
        assertEquals("", d.write(new byte[] {1, 2}));
        assertEquals("AQID", d.write(new byte[] {3, 4}));
        assertEquals("BA==", d.end());
        assertEquals("AQ==", d.end(new byte[] {1}));
        assertEquals("", d.end());
        assertEquals("ff61", new StringDecoder("hex").end(new byte[] {(byte) 0xff, 'a'}));
        assertEquals(StandardCharsets.UTF_8, new StringDecoder().charset());
    }

    @Test
    void any_other_java_charset_decodes_with_its_own_decoder_across_chunks() {
        Charset utf16be = StandardCharsets.UTF_16BE;
        byte[] bytes = "é😀".getBytes(utf16be);
        StringDecoder d = new StringDecoder(utf16be);
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(d.write(new byte[] {b}));
        }
        assertEquals("é😀", out.append(d.end()).toString());
        assertEquals("", d.write(new byte[] {0}));
        assertEquals("\uFFFD", d.end(), "an odd byte left at the end");
    }

    @Test
    void bad_arguments_throw_with_Node_codes() {
        NetException unknown = assertThrows(NetException.class, () -> new StringDecoder("utf-32"));
        assertEquals(NetException.ERR_UNKNOWN_ENCODING, unknown.code());
        assertEquals("Unknown encoding: utf-32", unknown.getMessage());
        assertEquals(NetException.ERR_INVALID_ARG_TYPE,
                assertThrows(NetException.class, () -> new StringDecoder((Charset) null)).code());
        assertEquals(NetException.ERR_INVALID_ARG_TYPE,
                assertThrows(NetException.class, () -> new StringDecoder().write(null)).code());
        assertEquals(NetException.ERR_INVALID_ARG_TYPE,
                assertThrows(NetException.class, () -> Encoding.HEX.encode(null)).code());
        assertEquals(NetException.ERR_INVALID_ARG_TYPE,
                assertThrows(NetException.class, () -> Encoding.HEX.decode(null)).code());
    }

    @Test
    void how_a_stream_is_cut_never_changes_its_text() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (Encoding encoding : Encoding.values()) {
            for (int n = 0; n < 2_000; n++) {
                byte[] bytes = new byte[random.nextInt(24)];
                for (int i = 0; i < bytes.length; i++) {        // mostly UTF-8 lead and continuation bytes
                    bytes[i] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x78) : random.nextInt(256));
                }
                StringDecoder whole = new StringDecoder(encoding.charset());
                String unflushed = whole.write(bytes);
                String expected = unflushed + whole.end();
                StringDecoder cut = new StringDecoder(encoding.charset());
                StringBuilder got = new StringBuilder();
                int from = 0;
                while (from < bytes.length) {
                    int to = from + 1 + random.nextInt(bytes.length - from);
                    got.append(cut.write(Arrays.copyOfRange(bytes, from, to)));
                    from = to;
                }
                String context = encoding + " " + HexFormat.of().formatHex(bytes) + ", seed " + seed;
                if (encoding == Encoding.UTF16LE) {
                    // Node holds a trailing high surrogate back only at the end of an even-length chunk
                    assertTrue(expected.startsWith(got.toString()), context);
                } else {
                    assertEquals(unflushed, got.toString(), context);
                }
                assertEquals(expected, got.append(cut.end()).toString(), context);
            }
        }
    }
}
