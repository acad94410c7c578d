package dev.loomnet.loom;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;

/**
 * A streaming decoder for {@code text} events (Node's {@code StringDecoder}): bytes of a character split
 * across reads are kept until the rest arrives; malformed input becomes U+FFFD; {@link #end()} turns an
 * incomplete tail into U+FFFD. Used by the connection's thread only.
 */
final class TextDecoder {

    private final CharsetDecoder decoder;
    private ByteBuffer leftover = ByteBuffer.allocate(0);

    TextDecoder(Charset charset) {
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    Charset charset() {
        return decoder.charset();
    }

    /** Decodes {@code chunk} after any held-back bytes; returns "" when everything was held back. */
    String decode(byte[] chunk) {
        ByteBuffer in;
        if (leftover.hasRemaining()) {
            in = ByteBuffer.allocate(leftover.remaining() + chunk.length);
            in.put(leftover).put(chunk).flip();
        } else {
            in = ByteBuffer.wrap(chunk);
        }
        CharBuffer out = CharBuffer.allocate((int) Math.ceil(in.remaining() * (double) decoder.maxCharsPerByte()) + 2);
        decoder.decode(in, out, false);
        leftover = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : ByteBuffer.allocate(0);
        return out.flip().toString();
    }

    /** Flushes at the end of the stream: an incomplete character becomes U+FFFD. */
    String end() {
        ByteBuffer in = leftover;
        leftover = ByteBuffer.allocate(0);
        CharBuffer out = CharBuffer.allocate(in.remaining() * 2 + 4);
        decoder.decode(in, out, true);
        decoder.flush(out);
        decoder.reset();
        return out.flip().toString();
    }
}
