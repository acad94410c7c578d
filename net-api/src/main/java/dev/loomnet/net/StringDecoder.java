package dev.loomnet.net;

import dev.loomnet.net.internal.NodeUtf8;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Node's {@code StringDecoder} (module {@code string_decoder}): turns a stream of byte chunks into text without
 * cutting a character in two. It decodes each {@link Socket#TEXT} event, and any other byte stream the same
 * way. For Node's encodings ({@link Encoding}) it holds back the bytes Node holds back, so each chunk gives
 * Node's text: an unfinished UTF-8 character, the odd byte or trailing high surrogate of {@code utf16le}, the
 * 1 or 2 bytes of an unfinished {@code base64} group. {@link #end()} gives what is held as Node's does
 * (U+FFFD for an unfinished UTF-8 character). Any other Java charset goes through its own
 * {@link CharsetDecoder}, whose held bytes end as U+FFFD.
 *
 * <p>A decoder keeps state between calls and is meant for one thread at a time.
 */
public final class StringDecoder {

    /** Which tail of a chunk Node keeps for the next one. */
    private enum Hold { NOTHING, UTF8, UTF16LE, BASE64 }

    private final Charset charset;
    private final @Nullable Hold hold;
    private final @Nullable CharsetDecoder javaDecoder;
    private ByteBuffer leftover = ByteBuffer.allocate(0);
    /** Node's incomplete-character buffer: {@code buffered} bytes held, {@code missing} more wanted. */
    private final byte[] incomplete = new byte[4];
    private int buffered;
    private int missing;

    /** A UTF-8 decoder ({@code new StringDecoder()}). */
    public StringDecoder() {
        this(StandardCharsets.UTF_8);
    }

    /**
     * A decoder for the encoding Node calls {@code encoding} ({@code new StringDecoder('hex')}).
     *
     * @param encoding Node's name, any case, see {@link Encoding#of(String)}
     * @throws NetException {@code ERR_UNKNOWN_ENCODING} for a name Node does not know
     */
    public StringDecoder(String encoding) {
        this(Encoding.of(encoding).charset());
    }

    /**
     * A decoder for {@code charset}: with Node's rules for UTF-8 and the charsets of {@link Encoding}, with the
     * charset's own for any other.
     *
     * @param charset the encoding of the bytes
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for {@code null}
     */
    public StringDecoder(Charset charset) {
        this.charset = Args.notNull(charset, "encoding");
        this.hold = holdOf(charset);
        this.javaDecoder = hold != null ? null : charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    private static @Nullable Hold holdOf(Charset charset) {
        for (Encoding e : Encoding.values()) {
            if (e.charset().equals(charset)) {
                return switch (e) {
                    case UTF8 -> Hold.UTF8;
                    case UTF16LE -> Hold.UTF16LE;
                    case BASE64, BASE64URL -> Hold.BASE64;
                    case LATIN1, ASCII, HEX -> Hold.NOTHING;
                };
            }
        }
        return null;
    }

    /**
     * Returns the charset this decoder decodes.
     *
     * @return the charset
     */
    public Charset charset() {
        return charset;
    }

    /**
     * Decodes {@code chunk} after the bytes held back from earlier chunks ({@code decoder.write(buffer)}).
     *
     * @param chunk the next bytes of the stream
     * @return the text of every character now complete; empty when everything was held back
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for {@code null}
     */
    public String write(byte[] chunk) {
        Args.notNull(chunk, "buf");
        return javaDecoder != null ? decodeJava(javaDecoder, chunk) : decodeNode(chunk);
    }

    /**
     * Ends the stream ({@code decoder.end()}): returns what was held back, decoded as Node does at the end.
     * The decoder can then start a new stream.
     *
     * @return the text of the held bytes; empty when none were held
     */
    public String end() {
        return javaDecoder != null ? endJava(javaDecoder) : endNode();
    }

    /**
     * Writes a last chunk, then ends ({@code decoder.end(buffer)}).
     *
     * @param chunk the last bytes of the stream
     * @return the text of {@code chunk} after the held bytes, and then of whatever is left
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for {@code null}
     */
    public String end(byte[] chunk) {
        String text = write(chunk);
        return text + end();
    }

    /** Node's {@code StringDecoder::DecodeData}, step by step. */
    private String decodeNode(byte[] chunk) {
        int offset = 0;
        int length = chunk.length;
        String prepend = "";
        if (missing > 0) {
            if (hold == Hold.UTF8) {
                // a byte that cannot continue the held character ends it, and starts the rest
                for (int i = 0; i < length && i < missing; i++) {
                    if ((chunk[i] & 0xc0) != 0x80) {
                        missing = 0;
                        System.arraycopy(chunk, 0, incomplete, buffered, i);
                        buffered += i;
                        offset = i;
                        length -= i;
                        break;
                    }
                }
            }
            int found = Math.min(length, missing);
            System.arraycopy(chunk, offset, incomplete, buffered, found);
            offset += found;
            length -= found;
            missing -= found;
            buffered += found;
            if (missing == 0) {
                prepend = text(incomplete, 0, buffered);
                buffered = 0;
            }
        }
        if (length == 0) {
            return prepend;
        }
        holdTail(chunk, offset, length);
        if (buffered > 0) {
            length -= buffered;
            System.arraycopy(chunk, offset + length, incomplete, 0, buffered);
        }
        return length > 0 ? prepend + text(chunk, offset, length) : prepend;
    }

    /** Sets {@code buffered} and {@code missing} for the tail Node keeps of a chunk whose start is complete. */
    private void holdTail(byte[] chunk, int offset, int length) {
        int last = chunk[offset + length - 1];
        if (hold == Hold.UTF8 && (last & 0x80) != 0) {
            for (int i = length - 1; ; i--) {
                buffered++;
                int b = chunk[offset + i];
                if ((b & 0xc0) == 0x80) {
                    if (buffered >= 4 || i == 0) {
                        buffered = 0;           // stray continuation bytes: Node decodes them now
                        return;
                    }
                    continue;
                }
                if ((b & 0xe0) == 0xc0) {
                    missing = 2;
                } else if ((b & 0xf0) == 0xe0) {
                    missing = 3;
                } else if ((b & 0xf8) == 0xf0) {
                    missing = 4;
                } else {
                    buffered = 0;
                    return;
                }
                if (buffered >= missing) {
                    missing = 0;
                    buffered = 0;
                }
                missing -= buffered;
                return;
            }
        } else if (hold == Hold.UTF16LE) {
            if (length % 2 == 1) {
                buffered = 1;
                missing = 1;
            } else if ((last & 0xfc) == 0xd8) {
                buffered = 2;
                missing = 2;
            }
        } else if (hold == Hold.BASE64) {
            buffered = length % 3;
            missing = buffered > 0 ? 3 - buffered : 0;
        }
    }

    /** Node's {@code StringDecoder::FlushData}. */
    private String endNode() {
        if (hold == Hold.UTF16LE && buffered % 2 == 1) {
            buffered--;                         // a last odd byte is no character: Node drops it
        }
        String out = buffered > 0 ? text(incomplete, 0, buffered) : "";
        buffered = 0;
        missing = 0;
        return out;
    }

    /** Node's {@code buf.toString(encoding)} of complete input. */
    private String text(byte[] bytes, int offset, int length) {
        return hold == Hold.UTF8 ? NodeUtf8.decode(bytes, offset, length) : new String(bytes, offset, length, charset);
    }

    private String decodeJava(CharsetDecoder decoder, byte[] chunk) {
        ByteBuffer in;
        if (leftover.hasRemaining()) {
            in = ByteBuffer.allocate(leftover.remaining() + chunk.length);
            in.put(leftover).put(chunk).flip();
        } else {
            in = ByteBuffer.wrap(chunk);
        }
        CharBuffer out = CharBuffer.allocate((int) Math.ceil(in.remaining() * (double) decoder.maxCharsPerByte()) + 2);
        while (decoder.decode(in, out, false).isOverflow()) {
            out = grown(out);
        }
        leftover = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : ByteBuffer.allocate(0);
        return out.flip().toString();
    }

    private String endJava(CharsetDecoder decoder) {
        ByteBuffer in = leftover;
        leftover = ByteBuffer.allocate(0);
        CharBuffer out = CharBuffer.allocate(in.remaining() * 2 + 4);
        while (decoder.decode(in, out, true).isOverflow()) {
            out = grown(out);
        }
        while (decoder.flush(out).isOverflow()) {
            out = grown(out);
        }
        decoder.reset();
        return out.flip().toString();
    }

    private static CharBuffer grown(CharBuffer out) {
        return CharBuffer.allocate(out.capacity() * 2 + 4).put(out.flip());
    }
}
