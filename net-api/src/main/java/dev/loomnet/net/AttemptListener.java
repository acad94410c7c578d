package dev.loomnet.net;

import org.jspecify.annotations.Nullable;

/**
 * A listener of {@link Socket#CONNECTION_ATTEMPT}, {@link Socket#CONNECTION_ATTEMPT_FAILED} and
 * {@link Socket#CONNECTION_ATTEMPT_TIMEOUT}: one connect attempt to one resolved address (Node 20.12+).
 */
@FunctionalInterface
public interface AttemptListener {

    /**
     * Handles the attempt event.
     *
     * @param ip     the address tried
     * @param port   the port tried
     * @param family 4 or 6
     * @param error  why the attempt failed ({@code CONNECTION_ATTEMPT_FAILED} only), else {@code null}
     * @throws Exception anything; the socket is then destroyed with it
     */
    void onAttempt(String ip, int port, int family, @Nullable Throwable error) throws Exception;

    /**
     * One attempt event as a value, for {@link EventEmitter#when(Event.Valued)}.
     *
     * @param ip     the address tried
     * @param port   the port tried
     * @param family 4 or 6
     * @param error  why the attempt failed ({@code CONNECTION_ATTEMPT_FAILED} only), else {@code null}
     */
    record Attempt(String ip, int port, int family, @Nullable Throwable error) {
    }
}
