package dev.loomnet.net;

/**
 * A destination for {@link Socket#pipe(Writable)}: Node's writable stream, reduced to what piping needs.
 * {@link Socket} is one; implement it to pipe a socket into anything else (a file, a parser, a queue).
 */
public interface Writable {

    /**
     * Accepts a chunk. Must not block for long: return {@code false} to ask the source to pause, then call
     * the listener given to {@link #onceDrain(Listener)} when more can be accepted.
     *
     * @param chunk the bytes; owned by the destination from now on
     * @return {@code false} when the source should pause until drain
     */
    boolean write(byte[] chunk);

    /**
     * Runs {@code listener} once, the next time this destination can accept more after {@link #write}
     * returned {@code false}.
     *
     * @param listener the drain listener
     * @return this destination
     */
    Writable onceDrain(Listener listener);

    /**
     * Signals that the source ended; no more writes follow.
     *
     * @return this destination
     */
    Writable end();
}
