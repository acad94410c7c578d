package dev.loomnet.net.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 with Node's rules where Java's differ, which is only on bad input. Reading follows the WHATWG decoder
 * that V8 uses: each maximal prefix of a valid sequence becomes one U+FFFD (Java's decoder folds some of them,
 * such as a surrogate's {@code ED A0}, into one). Writing turns a lone surrogate into U+FFFD, where Java writes
 * {@code ?}. Valid input takes Java's own fast paths; the slow ones run only after a replacement.
 */
public final class NodeUtf8 {

    private static final char REPLACEMENT = '\uFFFD';

    private NodeUtf8() {
    }

    /**
     * Decodes as Node's {@code buf.toString('utf8')}.
     *
     * @param bytes  the buffer
     * @param offset where the bytes start
     * @param length how many bytes
     * @return the text of {@code length} bytes at {@code offset}
     */
    public static String decode(byte[] bytes, int offset, int length) {
        String java = new String(bytes, offset, length, StandardCharsets.UTF_8);
        return java.indexOf(REPLACEMENT) < 0 ? java : whatwg(bytes, offset, length);
    }

    /**
     * Encodes as Node's {@code Buffer.from(text, 'utf8')}.
     *
     * @param text the text
     * @return its bytes
     */
    public static byte[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return lostSurrogate(text, bytes) ? replacingEncode(text) : bytes;
    }

    /** The WHATWG "UTF-8 decode" with replacement, byte by byte. */
    private static String whatwg(byte[] bytes, int offset, int length) {
        StringBuilder out = new StringBuilder(length);
        int codePoint = 0;
        int needed = 0;
        int seen = 0;
        int lower = 0x80;
        int upper = 0xbf;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            int b = bytes[i] & 0xff;
            if (needed == 0) {
                if (b <= 0x7f) {
                    out.append((char) b);
                } else if (b >= 0xc2 && b <= 0xdf) {
                    needed = 1;
                    codePoint = b & 0x1f;
                } else if (b >= 0xe0 && b <= 0xef) {
                    lower = b == 0xe0 ? 0xa0 : 0x80;
                    upper = b == 0xed ? 0x9f : 0xbf;
                    needed = 2;
                    codePoint = b & 0xf;
                } else if (b >= 0xf0 && b <= 0xf4) {
                    lower = b == 0xf0 ? 0x90 : 0x80;
                    upper = b == 0xf4 ? 0x8f : 0xbf;
                    needed = 3;
                    codePoint = b & 0x7;
                } else {
                    out.append(REPLACEMENT);
                }
                continue;
            }
            if (b < lower || b > upper) {
                // the sequence so far is one replacement, and this byte starts afresh
                out.append(REPLACEMENT);
                needed = 0;
                seen = 0;
                lower = 0x80;
                upper = 0xbf;
                i--;
                continue;
            }
            lower = 0x80;
            upper = 0xbf;
            codePoint = codePoint << 6 | (b & 0x3f);
            if (++seen == needed) {
                out.appendCodePoint(codePoint);
                needed = 0;
                seen = 0;
            }
        }
        if (needed != 0) {
            out.append(REPLACEMENT);
        }
        return out.toString();
    }

    /**
     * Whether Java's encoding wrote {@code ?} for a lone surrogate: the string is scanned only when the bytes
     * hold a {@code ?} at all.
     */
    private static boolean lostSurrogate(String text, byte[] bytes) {
        for (byte b : bytes) {
            if (b == '?') {
                for (int i = 0; i < text.length(); i++) {
                    if (Character.isSurrogate(text.charAt(i))) {
                        return true;
                    }
                }
                return false;
            }
        }
        return false;
    }

    private static byte[] replacingEncode(String text) {
        try {
            ByteBuffer out = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .replaceWith(new byte[] {(byte) 0xef, (byte) 0xbf, (byte) 0xbd})
                    .encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing encoder cannot fail", e);
        }
    }
}
