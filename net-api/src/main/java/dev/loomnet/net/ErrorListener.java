package dev.loomnet.net;

/**
 * A listener of {@link Socket#ERROR} and {@link Server#ERROR}.
 */
@FunctionalInterface
public interface ErrorListener {

    /**
     * Handles the error. Errors that loomnet detects are {@link NetException}s carrying Node's code; an
     * exception thrown by a listener, or passed to {@link Socket#destroy(Throwable)}, arrives unchanged.
     *
     * @param error the error
     * @throws Exception anything; an exception thrown here goes to the thread's uncaught exception handler
     */
    void onError(Throwable error) throws Exception;
}
