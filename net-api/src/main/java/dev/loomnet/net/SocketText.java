package dev.loomnet.net;

import java.nio.charset.Charset;

/**
 * The encodings a {@link Socket} turns text into bytes and back with: the one {@link Socket#TEXT} decodes with
 * ({@code setEncoding}) and the one a {@code write} of a string without an encoding uses
 * ({@code setDefaultEncoding}). Both take Node's names, with Node's rules ({@link Encoding}), or any
 * {@link Charset}.
 */
public interface SocketText {

    /**
     * Sets the charset {@link Socket#TEXT} decodes with ({@code socket.setEncoding(encoding)}), through a
     * {@link StringDecoder}: a character split across reads is held back until its last byte arrives, and what
     * is held at the end of the stream comes before {@link Socket#END}.
     *
     * @param charset the encoding of the peer's text
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for {@code null}
     */
    Socket setEncoding(Charset charset);

    /**
     * Sets the encoding {@link Socket#TEXT} decodes with by Node's name ({@code socket.setEncoding('hex')}),
     * with Node's rules for it: {@code "base64"} text, for example, comes in whole 3-byte groups, the last one
     * or two bytes at the end of the stream.
     *
     * @param encoding Node's name of the encoding, any case, see {@link Encoding#of(String)}
     * @return this socket
     * @throws NetException {@code ERR_UNKNOWN_ENCODING} for a name Node does not know
     */
    default Socket setEncoding(String encoding) {
        return setEncoding(Encoding.of(encoding).charset());
    }

    /**
     * Returns the charset {@link Socket#TEXT} decodes with.
     *
     * @return the encoding, UTF-8 unless {@link #setEncoding(Charset)} changed it
     */
    Charset encoding();

    /**
     * Sets the charset of strings written without one ({@code socket.setDefaultEncoding(encoding)}), by
     * {@code write(String)}, {@code write(String, Callback)}, {@code end(String)} and
     * {@code end(String, Callback)}. Kept when the socket connects again.
     *
     * @param charset the encoding
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for {@code null}
     */
    Socket setDefaultEncoding(Charset charset);

    /**
     * Sets the encoding of strings written without one by Node's name ({@code socket.setDefaultEncoding('hex')}).
     *
     * @param encoding Node's name of the encoding, any case, see {@link Encoding#of(String)}
     * @return this socket
     * @throws NetException {@code ERR_UNKNOWN_ENCODING} for a name Node does not know
     */
    default Socket setDefaultEncoding(String encoding) {
        return setDefaultEncoding(Encoding.of(encoding).charset());
    }

    /**
     * Returns the charset of strings written without one.
     *
     * @return the encoding, UTF-8 unless {@link #setDefaultEncoding(Charset)} changed it
     */
    Charset defaultEncoding();
}
