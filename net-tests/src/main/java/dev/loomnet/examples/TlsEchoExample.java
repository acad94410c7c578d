package dev.loomnet.examples;

import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;

/**
 * The TLS echo in one command: makes a self-signed certificate for {@code localhost} (and says so), starts
 * {@link TlsEchoServer} on an ephemeral port, runs {@link TlsEchoClient} against it trusting that certificate,
 * then closes the server; the JVM then exits by itself.
 */
public final class TlsEchoExample {

    private TlsEchoExample() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws IOException          if the certificate cannot be made
     * @throws InterruptedException if interrupted while waiting for the conversation to end
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        SelfSignedCertificate cert = SelfSignedCertificate.create();
        System.out.println("made a self-signed certificate for localhost in " + cert.dir());
        TlsServer server = TlsEchoServer.create(TlsOptions.builder().pfx(cert.pfxBytes())
                .passphrase(SelfSignedCertificate.PASSWORD).build());
        Semaphore serverSideClosed = new Semaphore(0);
        server.on(Server.CONNECTION, connection -> connection.on(Socket.CLOSE, e -> serverSideClosed.release()));
        CountDownLatch listening = new CountDownLatch(1);
        server.listen(0, "127.0.0.1", 0, () -> {
            System.out.println("server is listening");
            listening.countDown();
        });
        listening.await();

        CountDownLatch closed = new CountDownLatch(1);
        TlsEchoClient.start(server.address().port(), cert.cert(), hadError -> closed.countDown());
        closed.await();
        serverSideClosed.acquire();
        server.close();
    }
}
