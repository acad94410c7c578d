package dev.loomnet.examples;

import dev.loomnet.net.Socket;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The seed's echo server over TLS: greets each client with {@code Hello World!\r\n}, then pipes the connection
 * to itself. {@code TlsEchoServer [PORT [KEY.pem CERT.pem]]}: without a key and certificate it makes a
 * self-signed one for {@code localhost} ({@link SelfSignedCertificate}) and says where, so that a client can
 * trust it ({@code TlsEchoClient PORT DIR/cert.pem}).
 */
public final class TlsEchoServer {

    private TlsEchoServer() {
    }

    /**
     * Creates the server, not yet listening.
     *
     * @param options the key and certificate (and any other TLS option)
     * @return the server
     */
    // tag::tls-server[]
    public static TlsServer create(TlsOptions options) {
        TlsServer server = Tls.createServer(options, connection -> {
            System.out.println("client connected over " + connection.getProtocol() + " ("
                    + connection.getCipher().name() + ")");
            connection.on(Socket.END, () -> System.out.println("client closed the connection"));
            connection.on(Socket.ERROR, error -> System.out.println("connection error: " + error));
            connection.write("Hello World!\r\n");
            connection.pipe(connection);                  // echo, with backpressure
        });
        // a client whose handshake failed (untrusted, wrong protocol, too slow): the server carries on
        server.on(TlsServer.TLS_CLIENT_ERROR, (error, socket) -> System.out.println("handshake failed: " + error));
        server.on(TlsServer.ERROR, error -> System.out.println("server error: " + error));
        return server;
    }
    // end::tls-server[]

    /**
     * Runs the server until the process is stopped.
     *
     * @param args {@code [PORT [KEY.pem CERT.pem]]}; the port defaults to 8443
     * @throws IOException if no certificate was given and making one failed
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8443;
        TlsOptions options;
        if (args.length >= 3) {
            options = TlsOptions.builder().key(Path.of(args[1])).cert(Path.of(args[2])).build();
        } else {
            SelfSignedCertificate generated = SelfSignedCertificate.create();
            System.out.println("no key and certificate given: made a self-signed one for localhost; clients trust "
                    + generated.cert());
            options = TlsOptions.builder().pfx(generated.pfxBytes()).passphrase(SelfSignedCertificate.PASSWORD)
                    .build();
        }
        create(options).listen(port, () -> System.out.println("server is listening on " + port));
    }
}
