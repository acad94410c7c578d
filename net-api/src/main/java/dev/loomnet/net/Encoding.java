package dev.loomnet.net;

import dev.loomnet.net.internal.Base64Charset;
import dev.loomnet.net.internal.ByteCharset;
import dev.loomnet.net.internal.HexCharset;
import dev.loomnet.net.internal.NodeUtf8;
import dev.loomnet.net.internal.Utf16leCharset;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Node's encodings, with Node's rules for each, for {@link Socket#setEncoding(String)},
 * {@link Socket#setDefaultEncoding(String)}, {@link Socket#write(String, String)},
 * {@link Socket#end(String, String)} and {@link StringDecoder}; {@link #encode} and {@link #decode} are Node's
 * {@code Buffer.from(string, encoding)} and {@code buf.toString(encoding)}.
 * {@link #charset()} gives the same rules to the methods that take a {@link Charset}, and to any other Java
 * code, except that {@link #UTF8}'s is Java's UTF-8, whose replacements on bad input differ.
 */
public enum Encoding {
    /**
     * {@code utf8}, alias {@code utf-8}: bad input is replaced as Node replaces it, a lone surrogate written as
     * U+FFFD (Java writes {@code ?}) and each maximal bad sequence read as one U+FFFD.
     */
    UTF8("utf8", StandardCharsets.UTF_8),
    /**
     * {@code utf16le}, aliases {@code utf-16le}, {@code ucs2}, {@code ucs-2}: two bytes per UTF-16 unit, low
     * byte first, lone surrogates kept as they are.
     */
    UTF16LE("utf16le", Utf16leCharset.UTF16LE),
    /** {@code latin1}, alias {@code binary}: one byte per UTF-16 unit, its low byte. */
    LATIN1("latin1", ByteCharset.LATIN1),
    /** {@code ascii}: written as {@link #LATIN1}; read with each byte's high bit cleared. */
    ASCII("ascii", ByteCharset.ASCII),
    /** {@code base64}: read with padding; written from either alphabet, other characters skipped. */
    BASE64("base64", Base64Charset.BASE64),
    /** {@code base64url}: read with the URL alphabet and no padding; written as {@link #BASE64}. */
    BASE64URL("base64url", Base64Charset.BASE64URL),
    /** {@code hex}: read as lower-case digits; written from digit pairs up to the first bad pair. */
    HEX("hex", HexCharset.HEX);

    private final String nodeName;
    private final Charset charset;

    Encoding(String nodeName, Charset charset) {
        this.nodeName = nodeName;
        this.charset = charset;
    }

    /**
     * Returns the encoding Node knows by {@code name}, ignoring case, as Node's {@code Buffer.isEncoding}:
     * {@code utf8}, {@code utf-8}, {@code utf16le}, {@code utf-16le}, {@code ucs2}, {@code ucs-2},
     * {@code latin1}, {@code binary}, {@code ascii}, {@code base64}, {@code base64url}, {@code hex}. The empty
     * name is {@link #UTF8}, as Node's default.
     *
     * @param name an encoding name
     * @return the encoding
     * @throws NetException {@code ERR_UNKNOWN_ENCODING} for any other name; {@code ERR_INVALID_ARG_TYPE} for
     *                      {@code null}
     */
    public static Encoding of(String name) {
        Args.notNull(name, "encoding");
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "", "utf8", "utf-8" -> UTF8;
            case "utf16le", "utf-16le", "ucs2", "ucs-2" -> UTF16LE;
            case "latin1", "binary" -> LATIN1;
            case "ascii" -> ASCII;
            case "base64" -> BASE64;
            case "base64url" -> BASE64URL;
            case "hex" -> HEX;
            default -> throw new NetException(NetException.ERR_UNKNOWN_ENCODING, "Unknown encoding: " + name);
        };
    }

    /**
     * Returns Node's name for this encoding, e.g. {@code utf8} (Node's {@code socket.readableEncoding}).
     *
     * @return the name
     */
    public String nodeName() {
        return nodeName;
    }

    /**
     * Returns the bytes of {@code text} in this encoding ({@code Buffer.from(text, encoding)}).
     *
     * @param text the text
     * @return its bytes, by Node's rules
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for {@code null}
     */
    public byte[] encode(String text) {
        Args.notNull(text, "string");
        return this == UTF8 ? NodeUtf8.encode(text) : text.getBytes(charset);
    }

    /**
     * Returns the text of {@code bytes} in this encoding ({@code buf.toString(encoding)}); for a stream of
     * chunks use a {@link StringDecoder}, which does not cut characters in two.
     *
     * @param bytes the bytes
     * @return their text, by Node's rules
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for {@code null}
     */
    public String decode(byte[] bytes) {
        Args.notNull(bytes, "buf");
        return this == UTF8 ? NodeUtf8.decode(bytes, 0, bytes.length) : new String(bytes, charset);
    }

    /**
     * Returns a charset with this encoding's rules, for the methods that take one.
     *
     * @return the charset; {@link StandardCharsets#UTF_8} for {@link #UTF8}
     */
    public Charset charset() {
        return charset;
    }
}
