package dev.loomnet.examples;

import dev.loomnet.net.CloseListener;
import dev.loomnet.net.Net;
import dev.loomnet.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The seed's first {@code client.js}: connects with {@code new net.Socket()}, sends a greeting, prints the
 * server's reply and destroys the connection.
 *
 * <pre>{@code
 * var client = new net.Socket();
 * client.connect(8080, '127.0.0.1', function() {
 *   console.log('Connected');
 *   client.write('Hello from client');
 * });
 * client.on('data', function(data) {
 *   console.log('Received: ' + data);
 *   client.destroy(); // kill client after server's response
 * });
 * client.on('close', function() { console.log('Connection closed'); });
 * }</pre>
 */
public final class SeedClient {

    private SeedClient() {
    }

    /**
     * Starts the client against {@code port} on 127.0.0.1.
     *
     * @param port    the server's port
     * @param onClose an extra close listener, registered before connecting (the example uses it to sequence)
     * @return the client socket, connecting
     */
    public static Socket start(int port, CloseListener onClose) {
        Socket client = Net.socket();
        client.on(Socket.DATA, data -> {
            System.out.println("Received: " + new String(data, StandardCharsets.UTF_8));
            client.destroy();                                         // kill client after server's response
        });
        client.on(Socket.CLOSE, hadError -> System.out.println("Connection closed"));
        client.on(Socket.CLOSE, onClose);
        client.connect(port, "127.0.0.1", () -> {
            System.out.println("Connected");
            client.write("Hello from client");
        });
        return client;
    }

    /**
     * Runs the client against the port given as the first argument (default 8080).
     *
     * @param args optional port
     */
    public static void main(String[] args) {
        start(args.length > 0 ? Integer.parseInt(args[0]) : 8080, hadError -> { });
    }
}
