package dev.loomnet.net.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;

/**
 * Node's {@code hex}: reading turns each byte into two lower-case hex digits; writing takes the string's
 * digits in pairs (either case) and stops at the first pair that is not two hex digits, so an odd last digit
 * and everything after a bad pair are dropped, as Node's {@code Buffer.from(string, 'hex')} does. Node reads
 * only the low byte of each UTF-16 unit there, so {@code U+0130} counts as the digit {@code 0}; so does this.
 */
public final class HexCharset extends Charset {

    /** The one instance. */
    public static final HexCharset HEX = new HexCharset();

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private HexCharset() {
        super("x-node-hex", null);
    }

    @Override
    public boolean contains(Charset cs) {
        return cs.equals(this);
    }

    @Override
    public CharsetDecoder newDecoder() {
        return new CharsetDecoder(this, 2, 2) {
            @Override
            protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
                while (in.hasRemaining()) {
                    if (out.remaining() < 2) {
                        return CoderResult.OVERFLOW;
                    }
                    int b = in.get() & 0xff;
                    out.put(DIGITS[b >>> 4]).put(DIGITS[b & 0xf]);
                }
                return CoderResult.UNDERFLOW;
            }
        };
    }

    /** An ASCII hex digit's value, or -1 ({@code Character.digit} would take other scripts' digits too). */
    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        } else if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    @Override
    public CharsetEncoder newEncoder() {
        return new Encoder(this);
    }

    /** Carries the first digit of a pair between calls. */
    private static final class Encoder extends StoppingEncoder {
        private int high = -1;

        Encoder(Charset cs) {
            super(cs, 0.5f);
        }

        @Override
        boolean completesByte() {
            return high >= 0;
        }

        @Override
        boolean take(char c, ByteBuffer out) {
            int value = digit(c);
            if (high < 0) {
                high = value;
                return value >= 0;
            }
            if (value >= 0) {
                out.put((byte) (high << 4 | value));
            }
            high = -1;
            return value >= 0;
        }

        @Override
        void forget() {
            high = -1;
        }
    }
}
