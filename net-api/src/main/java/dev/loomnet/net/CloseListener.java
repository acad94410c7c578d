package dev.loomnet.net;

/**
 * A listener of {@link Socket#CLOSE}: the socket is fully closed.
 */
@FunctionalInterface
public interface CloseListener {

    /**
     * Handles the close.
     *
     * @param hadError {@code true} if and only if the socket was destroyed because of an error, which was
     *                 then emitted as {@link Socket#ERROR} just before
     * @throws Exception anything; it goes to the thread's uncaught exception handler
     */
    void onClose(boolean hadError) throws Exception;
}
