package dev.loomnet.tests.tls;

import static dev.loomnet.tests.tls.TlsFixtures.PKI;
import static dev.loomnet.tests.tls.TlsFixtures.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.TlsServer;
import dev.loomnet.testing.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose connections stream as fast as the machine goes still accepts, and handshakes, a new
 * connection: Node's event loop serves every socket in turn, and so must connection threads that never wait for
 * bytes (virtual threads are not time-sliced). The streaming peers are platform threads with the JDK's blocking
 * sockets, so that only the server's threads share the carriers.
 */
class FairnessTest {

    private static final int STREAMS = 8;
    private static final byte[] CHUNK = TlsFixtures.random(16 * 1024, 5);

    @TempDir
    Path dir;

    @Test
    void a_plain_server_busy_with_streams_accepts_a_new_connection() throws Exception {
        Server server = Net.createServer(FairnessTest::echo);
        Transport.TCP4.listen(server, dir);
        int port = server.address().port();
        try (Streams streams = new Streams()) {
            for (int i = 0; i < STREAMS; i++) {
                streams.start(new java.net.Socket("127.0.0.1", port));
            }
            streams.awaitFlowing();
            try (java.net.Socket late = new java.net.Socket("127.0.0.1", port)) {
                late.setSoTimeout(30_000);
                late.getOutputStream().write(7);
                assertEquals(7, late.getInputStream().read(), "the new connection's echo");
            }
        }
        server.close();
    }

    @Test
    void a_tls_server_busy_with_streams_handshakes_a_new_connection() throws Exception {
        TlsServer server = TlsFixtures.listen(Transport.TCP4, dir, ServerOptions.builder().build(),
                TlsFixtures.serverOptions().build(), FairnessTest::echo);
        int port = server.address().port();
        SSLContext context = trustingTestCa();
        try (Streams streams = new Streams()) {
            for (int i = 0; i < STREAMS; i++) {
                streams.start(handshaken(context, port));
            }
            streams.awaitFlowing();
            try (SSLSocket late = handshaken(context, port)) {
                late.getOutputStream().write(7);
                assertEquals(7, late.getInputStream().read(), "the new connection's echo");
            }
        }
        server.close();
    }

    /** Echoes with backpressure; the streams' abrupt close (a reset) is expected. */
    private static void echo(Socket s) {
        s.on(Socket.ERROR, error -> { });
        s.on(Socket.DATA, chunk -> {
            if (!s.write(chunk)) {
                s.pause();
                s.onceDrain(s::resume);
            }
        });
    }

    private static SSLSocket handshaken(SSLContext context, int port) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(30_000);                           // a starved handshake fails the test instead of hanging it
        s.startHandshake();
        return s;
    }

    private static SSLContext trustingTestCa() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", PKI.ca.cert());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** Connections that write 16 KiB chunks and read the echo back on two platform threads each, until closed. */
    private static final class Streams implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<java.net.Socket> sockets = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicLong echoed = new AtomicLong();

        void start(java.net.Socket socket) throws IOException {
            socket.setSoTimeout(0);
            sockets.add(socket);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (!stop.get()) {
                        out.write(CHUNK);
                    }
                } catch (IOException e) {
                    // closed by close()
                }
            }));
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                byte[] buffer = new byte[64 * 1024];
                try {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        echoed.addAndGet(n);
                    }
                } catch (IOException e) {
                    // closed by close()
                }
            }));
        }

        /** Every stream is under way: the server's threads are busy. */
        void awaitFlowing() {
            waitFor().until(() -> echoed.get() >= (long) STREAMS * 4 * CHUNK.length);
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            for (java.net.Socket s : sockets) {
                s.close();
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }
}
