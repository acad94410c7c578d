package dev.loomnet.examples;

import dev.loomnet.net.CloseListener;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The seed's first client over TLS: connects to {@code localhost}, verifying the server's certificate against
 * the given authority, sends a greeting, prints what comes back and ends. {@code TlsEchoClient PORT CA.pem}.
 */
public final class TlsEchoClient {

    private TlsEchoClient() {
    }

    /**
     * Starts the client.
     *
     * @param port    the server's port on {@code localhost}
     * @param ca      the certificate of the authority to trust (a self-signed server's own certificate)
     * @param onClose an extra close listener (the example uses it to sequence)
     * @return the socket, connecting
     */
    // tag::tls-client[]
    public static TlsSocket start(int port, Path ca, CloseListener onClose) {
        TlsSocket client = Tls.connect(port, "localhost", TlsOptions.builder().ca(ca).build(), () -> {
            System.out.println("Connected");                      // the handshake finished, the server verified
        });
        client.write("Hello from client");                        // sent once the handshake finished
        client.on(Socket.DATA, data -> {
            String text = new String(data, StandardCharsets.UTF_8);
            System.out.println("Received: " + text);
            if (text.contains("Hello from client")) {
                client.end();                                     // close_notify, then the FIN
            }
        });
        client.on(Socket.ERROR, error -> System.out.println("Error: " + error.getMessage()));
        client.on(Socket.CLOSE, hadError -> System.out.println("Connection closed"));
        client.on(Socket.CLOSE, onClose);
        return client;
    }
    // end::tls-client[]

    /**
     * Runs the client.
     *
     * @param args {@code PORT CA.pem}
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: TlsEchoClient PORT CA.pem");
            return;
        }
        start(Integer.parseInt(args[0]), Path.of(args[1]), hadError -> { });
    }
}
