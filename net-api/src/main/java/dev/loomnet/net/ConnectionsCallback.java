package dev.loomnet.net;

import org.jspecify.annotations.Nullable;

/**
 * The callback of {@link Server#getConnections(ConnectionsCallback)}, in Node's {@code (err, count)} shape.
 */
@FunctionalInterface
public interface ConnectionsCallback {

    /**
     * Receives the count.
     *
     * @param error always {@code null} in loomnet (the count is local); kept for Node's shape
     * @param count the open connections at the time of the call
     * @throws Exception anything; it goes to the uncaught exception handler
     */
    void done(@Nullable Throwable error, int count) throws Exception;
}
