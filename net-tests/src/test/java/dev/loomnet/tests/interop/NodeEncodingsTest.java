package dev.loomnet.tests.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.Encoding;
import dev.loomnet.net.StringDecoder;
import dev.loomnet.tests.Catalog;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node's encodings against Node itself, on random input: byte streams cut into random chunks through
 * {@link StringDecoder} (which decodes {@code TEXT} events) and Node's; strings through {@link Encoding#encode}
 * (which {@code write} uses) and Node's {@code Buffer.from(string, encoding)}; whole buffers through
 * {@link Encoding#decode} and Node's {@code buf.toString(encoding)}; the chunks also through each Node-only charset's own
 * streaming decoder, whose whole text must be Node's. Every chunk's text and every byte must be the same
 * (catalog #82). The seed is printed with a failure; {@code -Dencodings.seed=N} replays it. One {@code node}
 * process answers all cases ({@code interop/encodings.js}).
 */
class NodeEncodingsTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final int CASES_PER_ENCODING = 500;
    /** Characters the strings are drawn from: every class each encoding's writing treats differently. */
    private static final String[] PIECES = {"0", "7", "9", "a", "f", "A", "F", "g", "Z", "z", "+", "/", "-", "_", "=",
        " ", "\n", "\t", "$", ".", "é", "ÿ", "Ā", "€", "あ", "😀", "\uD83D", "\uDE00", "\u0000", "\u007f", "YWJj"};

    @Test
    @Catalog(82)
    void decoding_and_encoding_match_node_for_every_encoding(@TempDir Path dir) throws Exception {
        Optional<String> missing = NodeProcess.unavailable();
        assumeTrue(missing.isEmpty(), () -> missing.orElse(""));
        long seed = Long.getLong("encodings.seed", System.nanoTime());
        Random random = new Random(seed);
        List<String> cases = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        Map<Integer, String> streamed = new HashMap<>();
        for (Encoding encoding : Encoding.values()) {
            for (int i = 0; i < CASES_PER_ENCODING; i++) {
                List<byte[]> chunks = chunks(random, bytes(random, encoding));
                cases.add("D " + encoding.nodeName() + " " + String.join(",", chunks.stream().map(HEX::formatHex).toList()));
                ours.add(decoded(encoding, chunks));
                if (encoding != Encoding.UTF8) {
                    streamed.put(cases.size() - 1, streamed(encoding, chunks));
                }
                String text = text(random);
                cases.add("E " + encoding.nodeName() + " " + units(text));
                ours.add(HEX.formatHex(encoding.encode(text)));
                byte[] whole = bytes(random, encoding);
                cases.add("T " + encoding.nodeName() + " " + HEX.formatHex(whole));
                ours.add(units(encoding.decode(whole)));
            }
        }
        Path file = dir.resolve("cases.txt");
        Files.writeString(file, String.join("\n", cases) + "\n", StandardCharsets.ISO_8859_1);
        try (NodeProcess node = NodeProcess.start("encodings.js", file.toString())) {
            assertEquals(0, node.awaitExit(), node::toString);
            List<String> answers = node.stdout().stream().map(line -> line.substring(2)).toList();
            assertEquals(cases.size(), answers.size(), node::toString);
            for (int i = 0; i < cases.size(); i++) {
                int index = i;
                assertEquals(answers.get(i), ours.get(i), () -> "seed " + seed + ", case " + cases.get(index));
                if (streamed.containsKey(i)) {
                    assertEquals(answers.get(i).replace(",", ""), streamed.get(i),
                            () -> "the charset's own decoder, seed " + seed + ", case " + cases.get(index));
                }
            }
        }
    }

    /** Each chunk's text and then the end's, as the script prints them. */
    private static String decoded(Encoding encoding, List<byte[]> chunks) {
        StringDecoder decoder = new StringDecoder(encoding.nodeName());
        List<String> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            out.add(units(decoder.write(chunk)));
        }
        out.add(units(decoder.end()));
        return String.join(",", out);
    }

    /** The text of all chunks through the charset's own streaming decoder, which any Java code may use. */
    private static String streamed(Encoding encoding, List<byte[]> chunks) {
        CharsetDecoder decoder = encoding.charset().newDecoder();
        CharBuffer out = CharBuffer.allocate(200);
        for (byte[] chunk : chunks) {
            ByteBuffer in = ByteBuffer.wrap(chunk);
            assertTrue(decoder.decode(in, out, false).isUnderflow());
            assertFalse(in.hasRemaining(), "a chunk is taken whole; the decoder keeps what it holds");
        }
        assertTrue(decoder.decode(ByteBuffer.allocate(0), out, true).isUnderflow());
        assertTrue(decoder.flush(out).isUnderflow());
        return units(out.flip().toString());
    }

    private static String units(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(String.format("%04x", c)));
        return out.toString();
    }

    /** Up to 40 bytes: well-formed text of the encoding cut anywhere, with now and then a random byte. */
    private static byte[] bytes(Random random, Encoding encoding) {
        Encoding source = encoding == Encoding.UTF16LE ? Encoding.UTF16LE : Encoding.UTF8;
        byte[] text = source.encode(text(random));
        byte[] out = java.util.Arrays.copyOf(text, Math.min(text.length, 40));
        for (int i = 0; i < out.length; i++) {
            if (random.nextInt(12) == 0) {
                out[i] = (byte) random.nextInt(256);
            }
        }
        return out;
    }

    /** One to four pieces, some of them empty. */
    private static List<byte[]> chunks(Random random, byte[] bytes) {
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int left = random.nextInt(4); left > 0; left--) {
            int to = from + random.nextInt(bytes.length - from + 1);
            out.add(java.util.Arrays.copyOfRange(bytes, from, to));
            from = to;
        }
        out.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
        return out;
    }

    private static String text(Random random) {
        StringBuilder out = new StringBuilder();
        for (int n = random.nextInt(16); n > 0; n--) {
            out.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return out.toString();
    }
}
