package dev.loomnet.net;

import org.jspecify.annotations.Nullable;

/**
 * A completion callback in Node's {@code (err) => ...} shape, used by {@link Socket#write(byte[], Callback)},
 * {@link Socket#end(Callback)} and {@link Server#close(Callback)}. It runs among the emitter's events, one
 * at a time with them.
 */
@FunctionalInterface
public interface Callback {

    /**
     * Called once when the operation completes.
     *
     * @param error {@code null} on success, otherwise why it failed
     * @throws Exception anything; treated like an exception thrown by a listener of the same emitter
     */
    void done(@Nullable Throwable error) throws Exception;
}
