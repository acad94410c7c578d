package dev.loomnet.net.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;

/**
 * Node's {@code utf16le} (alias {@code ucs2}): each UTF-16 unit as two bytes, low byte first, with no
 * validation either way, so a lone surrogate is written and read as itself (Java's UTF-16LE writes and reads
 * U+FFFD instead). Reading keeps an odd byte, and a high surrogate at the end of a chunk, until the next
 * chunk; at the end of the stream a held surrogate is emitted and an odd byte is dropped, as Node's
 * {@code StringDecoder} does.
 */
public final class Utf16leCharset extends Charset {

    /** The one instance. */
    public static final Utf16leCharset UTF16LE = new Utf16leCharset();

    private Utf16leCharset() {
        super("x-node-utf16le", null);
    }

    @Override
    public boolean contains(Charset cs) {
        return true;
    }

    @Override
    public CharsetDecoder newDecoder() {
        return new Decoder(this);
    }

    @Override
    public CharsetEncoder newEncoder() {
        return new CharsetEncoder(this, 2, 2, new byte[] {(byte) 0xfd, (byte) 0xff}) {
            @Override
            protected CoderResult encodeLoop(CharBuffer in, ByteBuffer out) {
                while (in.hasRemaining()) {
                    if (out.remaining() < 2) {
                        return CoderResult.OVERFLOW;
                    }
                    char c = in.get();
                    out.put((byte) c).put((byte) (c >>> 8));
                }
                return CoderResult.UNDERFLOW;
            }
        };
    }

    /** Holds an odd byte ({@code oddByte >= 0}) and a trailing high surrogate between chunks. */
    private static final class Decoder extends CharsetDecoder {
        private int oddByte = -1;
        private char heldHigh;

        Decoder(Charset cs) {
            super(cs, 0.5f, 1);
        }

        @Override
        protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
            while (in.hasRemaining()) {
                if (oddByte < 0) {
                    oddByte = in.get() & 0xff;
                    continue;
                }
                if (out.remaining() < 2) {
                    return CoderResult.OVERFLOW;
                }
                char c = (char) (oddByte | (in.get() & 0xff) << 8);
                oddByte = -1;
                if (heldHigh != 0) {
                    out.put(heldHigh);
                    heldHigh = 0;
                }
                if (Character.isHighSurrogate(c)) {
                    heldHigh = c;
                } else {
                    out.put(c);
                }
            }
            return CoderResult.UNDERFLOW;
        }

        @Override
        protected CoderResult implFlush(CharBuffer out) {
            if (heldHigh != 0) {
                if (!out.hasRemaining()) {
                    return CoderResult.OVERFLOW;
                }
                out.put(heldHigh);
                heldHigh = 0;
            }
            oddByte = -1;
            return CoderResult.UNDERFLOW;
        }

        @Override
        protected void implReset() {
            oddByte = -1;
            heldHigh = 0;
        }
    }
}
