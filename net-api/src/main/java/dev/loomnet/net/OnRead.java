package dev.loomnet.net;

import java.util.function.Supplier;

/**
 * Node's {@code onread} socket option: the socket reads into a buffer you provide and hands each read to
 * {@link #callback()}; no {@link Socket#DATA} (or {@link Socket#TEXT}) events are emitted, and the socket starts
 * reading once connected without a listener or {@code resume()}. Use it to parse or count bytes without an
 * array per read; the bytes are valid only until the callback returns (the next read overwrites them), so
 * copy what you keep. To forward bytes to another socket, {@link Socket#pipe} is already allocation-free.
 *
 * <p>{@link #buffer()} is Node's buffer-returning function: it is called once before the first read and again
 * after every read, so it may hand out a fresh array each time or always the same one ({@link #of(byte[],
 * Callback)}). {@code pause()} inside the callback, or returning {@code false}, stops further callbacks until
 * {@code resume()}. {@code END} and {@code CLOSE} are emitted as usual.
 *
 * @param buffer   supplies the array the next read fills; never null, never empty
 * @param callback receives each read
 */
public record OnRead(Supplier<byte[]> buffer, Callback callback) {

    /** Receives one read ({@code onread.callback(nread, buf)}). */
    @FunctionalInterface
    public interface Callback {
        /**
         * Handles the bytes {@code buffer[0..nread)} just read. Runs like a listener: on the socket's event
         * thread, serially with its events; what it throws destroys the socket.
         *
         * @param nread  bytes read, at least 1
         * @param buffer the array they were read into
         * @return {@code false} to pause the socket (as Node's callback returning {@code false})
         * @throws Exception anything; the socket is then destroyed with it
         */
        boolean onRead(int nread, byte[] buffer) throws Exception;
    }

    /**
     * Validates the components.
     *
     * @param buffer   not null
     * @param callback not null
     */
    public OnRead {
        Args.notNull(buffer, "onread.buffer");
        Args.notNull(callback, "onread.callback");
    }

    /**
     * Reads into the same array every time (Node's {@code onread: {buffer: Buffer.alloc(n), callback}}).
     *
     * @param buffer   the array, not empty
     * @param callback receives each read
     * @return the option
     */
    public static OnRead of(byte[] buffer, Callback callback) {
        byte[] b = checked(buffer);
        return new OnRead(() -> b, callback);
    }

    /**
     * Reads into whatever {@code buffer} returns, asked once before the first read and again after every read
     * (Node's {@code onread: {buffer: () => ..., callback}}).
     *
     * @param buffer   supplies non-empty arrays
     * @param callback receives each read
     * @return the option
     */
    public static OnRead of(Supplier<byte[]> buffer, Callback callback) {
        return new OnRead(buffer, callback);
    }

    /**
     * The array for the next read, checked: a null or empty array fails with {@code ERR_INVALID_ARG_VALUE}.
     *
     * @return the supplier's array
     */
    public byte[] nextBuffer() {
        return checked(buffer.get());
    }

    private static byte[] checked(byte[] b) {
        if (b == null || b.length == 0) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "The property 'onread.buffer' must be a non-empty byte array. Received "
                            + (b == null ? "null" : "an empty array"));
        }
        return b;
    }
}
