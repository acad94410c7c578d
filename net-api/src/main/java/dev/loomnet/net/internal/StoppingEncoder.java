package dev.loomnet.net.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;

/**
 * The writing of Node's {@code hex} and {@code base64}: the string's characters one at a time, each read as the
 * low byte of its UTF-16 unit as Node reads it, until one stops the decoding for good (a bad hex pair, a
 * {@code =}); the rest of the string is then consumed unread.
 */
abstract class StoppingEncoder extends CharsetEncoder {

    private boolean stopped;

    /**
     * @param charset             the charset
     * @param averageBytesPerChar Node's ratio; the maximum is 1, the least that fits a one-byte replacement
     */
    StoppingEncoder(Charset charset, float averageBytesPerChar) {
        super(charset, averageBytesPerChar, 1);
    }

    /** Whether the next character may complete a byte, so that {@link #take} needs room for one. */
    abstract boolean completesByte();

    /** Takes one character, writing the byte it completes; returns false to stop for good. */
    abstract boolean take(char c, ByteBuffer out);

    /** Forgets the bits carried between calls. */
    abstract void forget();

    @Override
    protected final CoderResult encodeLoop(CharBuffer in, ByteBuffer out) {
        while (in.hasRemaining()) {
            if (stopped) {
                in.position(in.limit());
                break;
            }
            if (completesByte() && !out.hasRemaining()) {
                return CoderResult.OVERFLOW;
            }
            stopped = !take((char) (in.get() & 0xff), out);
        }
        return CoderResult.UNDERFLOW;
    }

    @Override
    protected final void implReset() {
        stopped = false;
        forget();
    }
}
