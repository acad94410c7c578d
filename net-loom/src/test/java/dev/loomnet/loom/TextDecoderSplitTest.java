package dev.loomnet.loom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The streaming decoder behind {@code Socket.TEXT}, driven directly so every split is exact (Node's
 * {@code StringDecoder}; catalog #79, #80). It lives in {@code dev.loomnet.loom} because the decoder is
 * package-private; the socket-level tests are in {@code dev.loomnet.tests.flow.TextTest}.
 */
class TextDecoderSplitTest {

    /** 1-, 2-, 3- and 4-byte UTF-8 characters, several of each, including a surrogate pair at the end. */
    static final String TEXT = "L'État, c'est moi: ü € あ 😀 𝄞 Ω €😀";
    static final byte[] BYTES = TEXT.getBytes(StandardCharsets.UTF_8);

    @Test
    @Catalog(79)
    void every_two_way_split_decodes_exactly() {
        for (int i = 0; i <= BYTES.length; i++) {
            TextDecoder d = new TextDecoder(StandardCharsets.UTF_8);
            String out = d.decode(Arrays.copyOfRange(BYTES, 0, i)) + d.decode(Arrays.copyOfRange(BYTES, i, BYTES.length))
                    + d.end();
            assertEquals(TEXT, out, "split at byte " + i);
        }
    }

    @Test
    void every_three_way_split_decodes_exactly() {
        for (int i = 0; i <= BYTES.length; i++) {
            for (int j = i; j <= BYTES.length; j++) {
                TextDecoder d = new TextDecoder(StandardCharsets.UTF_8);
                String out = d.decode(Arrays.copyOfRange(BYTES, 0, i)) + d.decode(Arrays.copyOfRange(BYTES, i, j))
                        + d.decode(Arrays.copyOfRange(BYTES, j, BYTES.length)) + d.end();
                assertEquals(TEXT, out, "split at bytes " + i + " and " + j);
            }
        }
    }

    @Test
    void one_byte_at_a_time_decodes_exactly_and_never_emits_half_a_character() {
        TextDecoder d = new TextDecoder(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (byte b : BYTES) {
            String piece = d.decode(new byte[] {b});
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
            TextDecoder d = new TextDecoder(StandardCharsets.UTF_8);
            String body = d.decode("ok".getBytes(StandardCharsets.UTF_8));
            String held = d.decode(Arrays.copyOf(grin, cut));
            assertEquals("ok", body + held, "the partial character is held back (" + cut + " bytes)");
            assertEquals("\uFFFD", d.end(), cut + " of 4 bytes at the end");
        }
    }

    @Test
    void a_malformed_byte_in_the_middle_becomes_a_replacement_character() {
        TextDecoder d = new TextDecoder(StandardCharsets.UTF_8);
        assertEquals("a\uFFFDb", d.decode(new byte[] {'a', (byte) 0xff, 'b'}) + d.end());
    }

    @Test
    void a_sequence_broken_off_across_chunks_becomes_one_replacement_character() {
        TextDecoder d = new TextDecoder(StandardCharsets.UTF_8);
        String out = d.decode(new byte[] {'a', (byte) 0xe2, (byte) 0x82}) + d.decode(new byte[] {'b'}) + d.end();
        assertEquals("a\uFFFDb", out);
    }

    @Test
    @Catalog(80)
    void forty_thousand_three_byte_characters_in_odd_chunks_decode_to_as_many_characters() {
        String big = "あ".repeat(40_960);                                 // catalog #80
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        TextDecoder d = new TextDecoder(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (int off = 0; off < bytes.length; off += 1000) {              // 1000 is not a multiple of 3
            out.append(d.decode(Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + 1000))));
        }
        out.append(d.end());
        assertEquals(big, out.toString());
    }
}
