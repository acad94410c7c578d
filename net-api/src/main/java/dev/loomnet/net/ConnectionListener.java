package dev.loomnet.net;

/**
 * A listener of {@link Server#CONNECTION}: a new connection was accepted.
 *
 * <p>It runs on the new connection's own virtual thread, before any event of that socket, so listeners it
 * attaches see every event of the socket. Connection listeners of different connections run in parallel. It
 * may block (for example to run a straight-line protocol); that delays only this connection.
 */
@FunctionalInterface
public interface ConnectionListener {

    /**
     * Handles the new connection.
     *
     * @param socket the accepted socket, already connected
     * @throws Exception anything; the socket is then destroyed with it, the server carries on
     */
    void onConnection(Socket socket) throws Exception;
}
