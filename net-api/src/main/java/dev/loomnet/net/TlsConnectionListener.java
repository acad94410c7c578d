package dev.loomnet.net;

/** A listener of {@link TlsServer#SECURE_CONNECTION}: a connection whose handshake finished. */
@FunctionalInterface
public interface TlsConnectionListener {

    /**
     * Handles the new secure connection, on that connection's own thread.
     *
     * @param socket the connection, handshake done
     * @throws Exception anything; the socket is then destroyed with it, the server carries on
     */
    void onSecureConnection(TlsSocket socket) throws Exception;
}
