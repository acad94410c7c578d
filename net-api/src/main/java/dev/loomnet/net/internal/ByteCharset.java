package dev.loomnet.net.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

/**
 * Node's one-byte encodings, {@code latin1} and {@code ascii}: a string is written as the low byte of each
 * UTF-16 unit (Java's ISO-8859-1 writes {@code ?} for what it cannot map), and {@code ascii} reads each byte
 * with its high bit cleared (Java's US-ASCII reads U+FFFD instead).
 */
public final class ByteCharset extends Charset {

    /** Node's {@code latin1}, alias {@code binary}. */
    public static final ByteCharset LATIN1 = new ByteCharset("x-node-latin1", 0xff);
    /** Node's {@code ascii}. */
    public static final ByteCharset ASCII = new ByteCharset("x-node-ascii", 0x7f);

    private final int readMask;

    private ByteCharset(String name, int readMask) {
        super(name, null);
        this.readMask = readMask;
    }

    @Override
    public boolean contains(Charset cs) {
        return cs.equals(this) || cs.equals(ASCII) || cs.equals(StandardCharsets.US_ASCII)
                || (readMask == 0xff && (cs.equals(LATIN1) || cs.equals(StandardCharsets.ISO_8859_1)));
    }

    @Override
    public CharsetDecoder newDecoder() {
        return new CharsetDecoder(this, 1, 1) {
            @Override
            protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
                while (in.hasRemaining()) {
                    if (!out.hasRemaining()) {
                        return CoderResult.OVERFLOW;
                    }
                    out.put((char) (in.get() & readMask));
                }
                return CoderResult.UNDERFLOW;
            }
        };
    }

    @Override
    public CharsetEncoder newEncoder() {
        return new CharsetEncoder(this, 1, 1) {
            @Override
            protected CoderResult encodeLoop(CharBuffer in, ByteBuffer out) {
                while (in.hasRemaining()) {
                    if (!out.hasRemaining()) {
                        return CoderResult.OVERFLOW;
                    }
                    out.put((byte) in.get());
                }
                return CoderResult.UNDERFLOW;
            }
        };
    }
}
