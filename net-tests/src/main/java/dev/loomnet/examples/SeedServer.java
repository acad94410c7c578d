package dev.loomnet.examples;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;

/**
 * The seed's {@code server.js}: greets each client with {@code Hello World!\r\n}, then pipes the connection to
 * itself, which echoes what it receives.
 *
 * <pre>{@code
 * var server = net.createServer(function(connection) {
 *   console.log('client connected');
 *   connection.on('end', function() { console.log('client closed the connection'); });
 *   connection.write('Hello World!\r\n');
 *   connection.pipe(connection);
 * });
 * server.listen(8080, function() { console.log('server is listening'); });
 * }</pre>
 */
public final class SeedServer {

    private SeedServer() {
    }

    /**
     * Creates the seed's server, not yet listening.
     *
     * @return the server
     */
    public static Server create() {
        return Net.createServer(connection -> {
            System.out.println("client connected");
            connection.on(Socket.END, () -> System.out.println("client closed the connection"));
            connection.write("Hello World!\r\n");
            connection.pipe(connection);
            // Not in the seed: the first client destroys its socket while the echo of its greeting may still be
            // unread, and closing with unread bytes makes the kernel reset the connection. Node would crash on
            // that unhandled 'error' (read ECONNRESET); a reset from a departing client is harmless here.
            connection.on(Socket.ERROR, error -> { });
        });
    }

    /**
     * Runs the server on the port given as the first argument (default 8080) until the process is stopped.
     *
     * @param args optional port
     */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        create().listen(port, () -> System.out.println("server is listening"));
    }
}
