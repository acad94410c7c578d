package dev.loomnet.loom;

import dev.loomnet.testing.TestPki;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link TlsKeyUpdateTest} in a child JVM whose {@code jdk.tls.keyLimits} security property is small
 * (the JDK reads it once, when its TLS cipher class loads, so it cannot be changed in the test JVM), making the
 * JDK send TLS 1.3 KeyUpdate messages every few hundred KiB. Prints {@code key=value} lines.
 */
public final class TlsKeyUpdateMain {

    private TlsKeyUpdateMain() {
    }

    public static void main(String[] args) throws Exception {
        int mib = 1 << 20;
        TlsContext clients = TlsChannelTest.client(TlsChannelTest.only("TLSv1.3"));
        TlsContext servers = TlsChannelTest.server(b -> { });
        TestPki.get();
        try (TlsPair p = TlsPair.tcp(clients, servers, "localhost")) {
            p.handshake();
            System.out.println("echo-sha-equal=" + TlsChannelTest.echo(p, 8 * mib));
        }
        try (TlsPair p = TlsPair.tcp(clients, servers, "localhost")) {
            p.handshake();
            System.out.println("oneway-sha-equal=" + oneWay(p, 4 * mib));
            System.out.println("server-flushes=" + p.serverFlushes.get());
        }
        System.out.println("done");
        System.out.flush();
    }

    /**
     * The client writes, the server only reads (its writer idle), the client's reader waits: the server's reader
     * hits the read limit, wraps a KeyUpdate and must hand it to a writer; the client's reader answers the
     * peer's request in turn.
     */
    private static boolean oneWay(TlsPair p, int total) throws Exception {
        MessageDigest sent = TlsPair.sha256();
        MessageDigest received = TlsPair.sha256();
        CompletableFuture<Integer> clientReader = CompletableFuture.supplyAsync(() -> {
            try {
                return p.client.read(ByteBuffer.allocate(10));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                SplittableRandom random = new SplittableRandom(7);
                byte[] chunk = new byte[64 * 1024];
                for (int left = total; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    sent.update(chunk);
                    p.client.write(new ByteBuffer[] {ByteBuffer.wrap(chunk)});
                }
                p.client.shutdownOutput();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        ByteBuffer b = ByteBuffer.allocate(32 * 1024);
        long got = 0;
        while (true) {
            b.clear();
            int n = p.server.read(b);
            if (n < 0) {
                break;
            }
            received.update(b.array(), 0, n);
            got += n;
        }
        writer.get(20, TimeUnit.SECONDS);
        p.server.shutdownOutput();
        int last = clientReader.get(20, TimeUnit.SECONDS);
        return got == total && last == -1 && MessageDigest.isEqual(sent.digest(), received.digest());
    }
}
