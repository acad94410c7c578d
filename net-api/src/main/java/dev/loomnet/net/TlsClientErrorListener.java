package dev.loomnet.net;

/** A listener of {@link TlsServer#TLS_CLIENT_ERROR}: a connection whose handshake failed. */
@FunctionalInterface
public interface TlsClientErrorListener {

    /**
     * Handles the failed handshake; the socket is being destroyed, and the server carries on.
     *
     * @param error  why, with Node's code
     * @param socket the connection
     * @throws Exception anything; it goes to the uncaught exception handler
     */
    void onTlsClientError(Throwable error, TlsSocket socket) throws Exception;

    /**
     * One {@code tlsClientError} emission as a value, for {@link EventEmitter#when(Event.Valued)}.
     *
     * @param error  why the handshake failed
     * @param socket the connection
     */
    record Failure(Throwable error, TlsSocket socket) {
    }
}
