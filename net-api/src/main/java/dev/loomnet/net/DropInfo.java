package dev.loomnet.net;

import org.jspecify.annotations.Nullable;

/**
 * The payload of {@link Server#DROP}: the connection that was accepted and closed because the server had
 * {@link Server#maxConnections() maxConnections} open already. For a Unix domain socket server Node passes no
 * payload; loomnet passes {@code null}.
 *
 * @param localAddress  the server side's address, as Node prints it
 * @param localPort     the server side's port
 * @param localFamily   {@code IPv4} or {@code IPv6}
 * @param remoteAddress the client's address
 * @param remotePort    the client's port
 * @param remoteFamily  {@code IPv4} or {@code IPv6}
 */
public record DropInfo(String localAddress, int localPort, String localFamily, String remoteAddress, int remotePort,
                       String remoteFamily) {

    /**
     * A listener of {@link Server#DROP}.
     */
    @FunctionalInterface
    public interface Listener {

        /**
         * Handles a dropped connection.
         *
         * @param info the dropped connection's addresses, or {@code null} for a Unix domain socket server
         * @throws Exception anything; it goes to the uncaught exception handler
         */
        void onDrop(@Nullable DropInfo info) throws Exception;
    }
}
