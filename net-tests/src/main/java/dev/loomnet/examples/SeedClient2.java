package dev.loomnet.examples;

import dev.loomnet.net.CloseListener;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The seed's second {@code client.js}: {@code net.connect({port})}, prints what the server sends, then ends.
 *
 * <pre>{@code
 * var client = net.connect({port: 8080}, function() { console.log('Connected to the server!'); });
 * client.on('data', function(data) { console.log(data.toString()); client.end(); });
 * client.on('end', function() { console.log('Disconnected from the server'); });
 * }</pre>
 */
public final class SeedClient2 {

    private SeedClient2() {
    }

    /**
     * Starts the client against {@code port} on localhost.
     *
     * @param port    the server's port
     * @param onClose an extra close listener (the example uses it to sequence)
     * @return the client socket, connecting
     */
    public static Socket start(int port, CloseListener onClose) {
        Socket client = Net.connect(ConnectOptions.builder().port(port).build(),
                () -> System.out.println("Connected to the server!"));
        client.on(Socket.CLOSE, onClose);
        client.on(Socket.DATA, data -> {
            System.out.println(new String(data, StandardCharsets.UTF_8));
            client.end();
        });
        client.on(Socket.END, () -> System.out.println("Disconnected from the server"));
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
