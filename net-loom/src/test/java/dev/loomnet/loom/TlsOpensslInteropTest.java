package dev.loomnet.loom;

import static dev.loomnet.loom.TlsChannelTest.PKI;
import static dev.loomnet.loom.TlsChannelTest.client;
import static dev.loomnet.loom.TlsChannelTest.server;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.NetException;
import dev.loomnet.testing.PeerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TlsChannel} against {@code openssl s_server} and {@code s_client} ({@code -quiet}: the peer's stdin is
 * sent, what it receives is its stdout): 32 MiB each way at once with SHA-256 equal, ALPN, SNI, client
 * certificates, resumption. Skipped, with the reason, when {@code openssl} is not on the {@code PATH}.
 */
// "try": a channel opened in a try-with-resources only to be closed with the test, and peers closed early
@SuppressWarnings("try")
class TlsOpensslInteropTest {

    private static final int MIB = 1 << 20;
    private static Optional<Path> openssl = Optional.empty();

    @BeforeAll
    static void findOpenssl() {
        openssl = PeerProcess.find("openssl");
        assumeTrue(openssl.isPresent(), "openssl is not on the PATH: the TLS interop tests with OpenSSL are skipped");
    }

    /**
     * An {@code openssl} process: a thread feeds {@code total} random bytes to its stdin (kept open until
     * {@link #close()}), another hashes its stdout, a third collects stderr.
     */
    private static final class Peer implements AutoCloseable {
        final Process process;
        final MessageDigest fed = TlsPair.sha256();
        final MessageDigest out = TlsPair.sha256();
        final StringBuffer err = new StringBuffer();
        volatile long outCount;
        final CompletableFuture<Void> feeder;
        final CompletableFuture<Void> reader;
        final Thread errReader;
        private final OutputStream stdin;

        Peer(List<String> args, int total) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(openssl.orElseThrow().toString());
            command.addAll(args);
            process = new ProcessBuilder(command).start();
            stdin = process.getOutputStream();
            feeder = CompletableFuture.runAsync(() -> {
                try {
                    SplittableRandom random = new SplittableRandom(3);
                    byte[] chunk = new byte[16 * 1024];
                    for (int left = total; left > 0; left -= chunk.length) {
                        byte[] piece = left >= chunk.length ? chunk : new byte[left];
                        random.nextBytes(piece);
                        fed.update(piece);
                        stdin.write(piece);
                    }
                    stdin.flush();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            reader = CompletableFuture.runAsync(() -> {
                try (InputStream in = process.getInputStream()) {
                    byte[] b = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(b)) > 0) {
                        out.update(b, 0, n);
                        outCount += n;
                    }
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            errReader = Thread.ofVirtual().start(() -> {
                try (InputStream in = process.getErrorStream()) {
                    err.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    err.append(e);
                }
            });
        }

        @Override
        public void close() throws Exception {
            try {
                stdin.close();
            } catch (IOException e) {
                // it exited already
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            errReader.join(PeerProcess.WAIT);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code s_server} on {@code port}. */
    private static Peer sServer(int port, int total, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("s_server", "-accept", "127.0.0.1:" + port, "-quiet",
                "-cert", PKI.server.certPem().toString(), "-key", PKI.server.keyPem().toString()));
        args.addAll(List.of(extra));
        return new Peer(args, total);
    }

    /**
     * Connects to {@code s_server} once it listens (it says nothing when it is ready, and a probe would use up
     * one of its {@code -naccept} connections): refused connections are retried.
     */
    private static SocketChannel connect(Peer peer, int port) throws Exception {
        long deadline = System.nanoTime() + PeerProcess.WAIT.toNanos();
        while (true) {
            try {
                return SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (java.net.ConnectException e) {
                if (!peer.process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("s_server is not listening: " + peer.err, e);
                }
                Thread.sleep(20);
            }
        }
    }

    /**
     * Both directions at once: a writer thread sends {@code total} random bytes while this thread reads the
     * peer's {@code total}; then ends. Returns the SHA-256 of what arrived here.
     */
    private static byte[] exchange(TlsChannel tls, int total) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                SplittableRandom random = new SplittableRandom(5);
                byte[] chunk = new byte[40_000];
                for (int left = total; left > 0; left -= chunk.length) {
                    byte[] piece = left >= chunk.length ? chunk : new byte[left];
                    random.nextBytes(piece);
                    tls.write(new ByteBuffer[] {ByteBuffer.wrap(piece)});
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        MessageDigest received = TlsPair.sha256();
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        long got = 0;
        while (got < total) {
            b.clear();
            int n = tls.read(b);
            if (n < 0) {
                break;
            }
            received.update(b.array(), 0, n);
            got += n;
        }
        writer.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(total, got);
        return received.digest();
    }

    private static byte[] sha256Of(int total) {
        MessageDigest d = TlsPair.sha256();
        SplittableRandom random = new SplittableRandom(5);
        byte[] chunk = new byte[40_000];
        for (int left = total; left > 0; left -= chunk.length) {
            byte[] piece = left >= chunk.length ? chunk : new byte[left];
            random.nextBytes(piece);
            d.update(piece);
        }
        return d.digest();
    }

    /** Waits until the peer's stdout carried {@code total} bytes, then checks their hash. */
    private static void assertPeerGot(Peer peer, int total) {
        Awaitility.await().atMost(PeerProcess.WAIT).until(() -> peer.outCount >= total || !peer.process.isAlive());
        assertEquals(total, peer.outCount, peer.err::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void java_client_to_s_server_32_mib_each_way(String version) throws Exception {
        int port = freePort();
        try (Peer peer = sServer(port, 32 * MIB, "-naccept", "1", version)) {
            try (SocketChannel ch = connect(peer, port)) {
                TlsChannel tls = TlsPair.clientOn(ch, client(b -> { }), "localhost", port);
                tls.handshake();
                assertEquals(version.equals("-tls1_2") ? "TLSv1.2" : "TLSv1.3", tls.info().protocol());
                byte[] got = exchange(tls, 32 * MIB);
                peer.feeder.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertArrayEquals(peer.fed.digest(), got, "SHA-256 of what s_server sent");
                assertPeerGot(peer, 32 * MIB);
                tls.shutdownOutput();
            }
            peer.reader.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(sha256Of(32 * MIB), peer.out.digest(), "SHA-256 of what s_server received");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void s_client_to_java_server_32_mib_each_way(String version) throws Exception {
        try (ServerSocketChannel listener = TlsPair.listener()) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (Peer peer = new Peer(List.of("s_client", "-connect", "127.0.0.1:" + port, "-quiet", "-nocommands",
                    "-CAfile", PKI.ca.certPem().toString(), "-servername", "localhost", "-verify_return_error",
                    version), 32 * MIB); SocketChannel ch = listener.accept()) {
                TlsChannel tls = TlsPair.serverOn(ch, server(b -> { }));
                tls.handshake();
                byte[] got = exchange(tls, 32 * MIB);
                peer.feeder.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertArrayEquals(peer.fed.digest(), got, "SHA-256 of what s_client sent");
                assertPeerGot(peer, 32 * MIB);
                tls.shutdownOutput();                     // s_client leaves at our close_notify
                assertEquals(-1, tls.read(ByteBuffer.allocate(100)));
                peer.reader.get(PeerProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertArrayEquals(sha256Of(32 * MIB), peer.out.digest(), "SHA-256 of what s_client received");
            }
        }
    }

    @Test
    void alpn_sni_and_client_certificates_with_s_server() throws Exception {
        int port = freePort();
        // s_server sets its ALPN choice on the default context only: SNI is checked on a second connection
        try (Peer peer = sServer(port, 5, "-naccept", "2", "-alpn", "http/1.1", "-Verify", "1",
                "-CAfile", PKI.ca.certPem().toString(), "-servername", "other.test",
                "-cert2", PKI.other.certPem().toString(), "-key2", PKI.other.keyPem().toString())) {
            try (SocketChannel ch = connect(peer, port)) {
                TlsChannel tls = TlsPair.clientOn(ch, client(b -> b.alpnProtocols("h2", "http/1.1")
                        .key(PKI.client.keyText()).cert(PKI.client.certText())), "localhost", port);
                tls.handshake();
                assertEquals("http/1.1", tls.info().alpnProtocol());
                assertEquals(PKI.server.cert(), tls.info().peerCertificates().get(0));
                TlsPair.write(tls, "hi!\n");
                assertEquals(5, TlsPair.readExactly(tls, 5).length);  // s_server accepted our certificate
                assertPeerGot(peer, 4);
                tls.shutdownOutput();
                assertEquals(-1, tls.read(ByteBuffer.allocate(10)));
            }
            try (SocketChannel ch = connect(peer, port)) {
                TlsChannel tls = TlsPair.clientOn(ch, client(b -> b.servername("other.test")
                        .key(PKI.client.keyText()).cert(PKI.client.certText())), "127.0.0.1", port);
                tls.handshake();
                assertEquals(PKI.other.cert(), tls.info().peerCertificates().get(0), "s_server's SNI certificate");
                assertEquals("other.test", tls.info().servername());
                tls.shutdownOutput();
                assertEquals(-1, tls.read(ByteBuffer.allocate(10)));
            }
        }
    }

    @Test
    void s_server_refuses_a_client_without_certificate() throws Exception {
        int port = freePort();
        try (Peer peer = sServer(port, 0, "-naccept", "1", "-Verify", "1", "-CAfile", PKI.ca.certPem().toString());
             SocketChannel ch = connect(peer, port)) {
            TlsChannel tls = TlsPair.clientOn(ch, client(b -> { }), "localhost", port);
            tls.handshake();                              // TLS 1.3: the client is done before the server refuses
            NetException e = assertThrows(NetException.class, () -> tls.read(ByteBuffer.allocate(10)));
            assertEquals("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", e.code());
        }
    }

    @Test
    void alpn_sni_and_client_certificates_with_s_client() throws Exception {
        TlsContext servers = server(b -> b.alpnProtocols("http/1.1").requestCert(true).ca(PKI.ca.certText()));
        servers.addContext("other.test", TlsConfig.server().key(PKI.other.keyText()).cert(PKI.other.certText())
                .build());
        try (ServerSocketChannel listener = TlsPair.listener()) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (Peer peer = new Peer(List.of("s_client", "-connect", "127.0.0.1:" + port, "-quiet", "-nocommands",
                    "-CAfile", PKI.ca.certPem().toString(), "-servername", "other.test", "-alpn", "h2,http/1.1",
                    "-cert", PKI.client.certPem().toString(), "-key", PKI.client.keyPem().toString()), 3);
                 SocketChannel ch = listener.accept()) {
                TlsChannel tls = TlsPair.serverOn(ch, servers);
                tls.handshake();
                assertEquals("http/1.1", tls.info().alpnProtocol());
                assertEquals("other.test", tls.info().servername());
                assertTrue(tls.info().authorized(), "s_client's certificate verified");
                assertEquals(3, TlsPair.readExactly(tls, 3).length);
                tls.shutdownOutput();
            }
        }
    }

    @Test
    void resumption_with_s_server() throws Exception {
        int port = freePort();
        TlsContext clients = client(b -> { });
        try (Peer peer = sServer(port, 0, "-naccept", "2")) {
            List<Boolean> reused = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                try (SocketChannel ch = connect(peer, port)) {
                    TlsChannel tls = TlsPair.clientOn(ch, clients, "localhost", port);
                    tls.handshake();
                    reused.add(tls.info().sessionReused());
                    tls.shutdownOutput();
                    // s_server closes at our close_notify; the ticket it sent first is read on the way to -1
                    assertEquals(-1, tls.read(ByteBuffer.allocate(10)));
                }
            }
            assertEquals(List.of(false, true), reused);
        }
    }
}
