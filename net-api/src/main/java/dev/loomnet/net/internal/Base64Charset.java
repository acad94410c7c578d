package dev.loomnet.net.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;

/**
 * Node's {@code base64} and {@code base64url}. Writing decodes either alphabet in both, skips every other
 * character (white space included), stops at the first {@code =}, and drops bits that do not fill a byte, as
 * Node's {@code Buffer.from(string, 'base64')}, which reads only the low byte of each UTF-16 unit: a high
 * surrogate such as {@code U+D83D} counts as its {@code =}. Reading gives the text of whole 3-byte groups,
 * carrying the 1 or 2 bytes left to the next call; the end of the input gives the carried bytes' text, padded
 * with {@code =} in {@code base64} and unpadded in {@code base64url}.
 */
public final class Base64Charset extends Charset {

    /** Node's {@code base64}. */
    public static final Base64Charset BASE64 =
            new Base64Charset("x-node-base64", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true);
    /** Node's {@code base64url}. */
    public static final Base64Charset BASE64URL =
            new Base64Charset("x-node-base64url", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);

    private final char[] alphabet;
    private final boolean padded;

    private Base64Charset(String name, String alphabet, boolean padded) {
        super(name, null);
        this.alphabet = alphabet.toCharArray();
        this.padded = padded;
    }

    @Override
    public boolean contains(Charset cs) {
        return cs instanceof Base64Charset;
    }

    @Override
    public CharsetDecoder newDecoder() {
        return new Decoder(this);
    }

    @Override
    public CharsetEncoder newEncoder() {
        return new Encoder(this);
    }

    /** The value of a character in either alphabet, or -1. */
    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        } else if (c == '+' || c == '-') {
            return 62;
        } else if (c == '/' || c == '_') {
            return 63;
        }
        return -1;
    }

    /** Bytes to text; {@code carry} holds the {@code carried} (0 to 2) bytes of an unfinished group. */
    private static final class Decoder extends CharsetDecoder {
        private final Base64Charset charset;
        private int carry;
        private int carried;

        Decoder(Base64Charset cs) {
            // the most text per byte is one byte's four characters at the end of the stream
            super(cs, 4f / 3, 4);
            this.charset = cs;
        }

        @Override
        protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
            while (in.hasRemaining()) {
                if (carried == 2 && out.remaining() < 4) {
                    return CoderResult.OVERFLOW;
                }
                carry = carry << 8 | (in.get() & 0xff);
                if (++carried == 3) {
                    char[] a = charset.alphabet;
                    out.put(a[carry >>> 18]).put(a[carry >>> 12 & 63]).put(a[carry >>> 6 & 63]).put(a[carry & 63]);
                    carry = 0;
                    carried = 0;
                }
            }
            return CoderResult.UNDERFLOW;
        }

        @Override
        protected CoderResult implFlush(CharBuffer out) {
            if (carried == 0) {
                return CoderResult.UNDERFLOW;
            }
            if (out.remaining() < 4) {
                return CoderResult.OVERFLOW;
            }
            char[] a = charset.alphabet;
            int bits = carry << (carried == 1 ? 16 : 8);
            out.put(a[bits >>> 18]).put(a[bits >>> 12 & 63]);
            if (carried == 2) {
                out.put(a[bits >>> 6 & 63]);
            }
            if (charset.padded) {
                out.put(carried == 1 ? "==" : "=");
            }
            implReset();
            return CoderResult.UNDERFLOW;
        }

        @Override
        protected void implReset() {
            carry = 0;
            carried = 0;
        }
    }

    /** Text to bytes; {@code bits} holds {@code bitCount} (under 8) bits not yet written. */
    private static final class Encoder extends StoppingEncoder {
        private int bits;
        private int bitCount;

        Encoder(Charset cs) {
            super(cs, 0.75f);
        }

        @Override
        boolean completesByte() {
            return bitCount >= 2;
        }

        @Override
        boolean take(char c, ByteBuffer out) {
            int value = sextet(c);
            if (value < 0) {
                return c != '=';
            }
            bits = (bits << 6 | value) & 0xfff;
            bitCount += 6;
            if (bitCount >= 8) {
                bitCount -= 8;
                out.put((byte) (bits >>> bitCount));
            }
            return true;
        }

        @Override
        void forget() {
            bits = 0;
            bitCount = 0;
        }
    }
}
