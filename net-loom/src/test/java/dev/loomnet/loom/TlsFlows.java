package dev.loomnet.loom;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The two sides of the bulk-transfer conversation used by the TLS tests, each on one {@link TlsChannel} with
 * its reader and its writer on separate threads at once: {@link #sendAndCheckEcho} (a writer thread sends,
 * the calling thread reads the echo) and {@link #echo} (a reader thread hands each chunk to a writer thread).
 */
final class TlsFlows {

    private TlsFlows() {
    }

    /**
     * Sends {@code total} random bytes in uneven gathered writes from a writer thread while this thread reads
     * the echo; once all came back, ends ({@code close_notify}, FIN) and waits for the peer's end.
     *
     * @return whether the SHA-256 of what came back equals that of what was sent, and the peer then ended
     */
    static boolean sendAndCheckEcho(TlsChannel tls, int total) throws Exception {
        MessageDigest sent = TlsPair.sha256();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                SplittableRandom random = new SplittableRandom(42);
                int left = total;
                while (left > 0) {
                    int a = Math.min(left, 1 + random.nextInt(70_000));
                    int c = Math.min(left - a, random.nextInt(5_000));
                    byte[] x = new byte[a];
                    byte[] y = new byte[c];
                    random.nextBytes(x);
                    random.nextBytes(y);
                    sent.update(x);
                    sent.update(y);
                    long n = tls.write(new ByteBuffer[] {ByteBuffer.wrap(x), ByteBuffer.wrap(y)});
                    if (n != a + c) {
                        throw new AssertionError("wrote " + n + " of " + (a + c));
                    }
                    left -= a + c;
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        MessageDigest received = TlsPair.sha256();
        long got = 0;
        boolean ended = false;
        ByteBuffer b = ByteBuffer.allocate(100_000);
        while (true) {
            b.clear();
            int n = tls.read(b);
            if (n < 0) {
                ended = true;
                break;
            }
            received.update(b.array(), 0, n);
            got += n;
            if (got == total) {
                // end only once everything came back: with TLS 1.2 the JDK answers close_notify by closing its
                // own output, so a JDK peer could not echo what was still on its way
                tls.shutdownOutput();
            }
        }
        writer.get(TlsPair.WAIT.toSeconds(), TimeUnit.SECONDS);
        return ended && got == total && MessageDigest.isEqual(sent.digest(), received.digest());
    }

    /** Echoes every byte until the peer ends, then ends; returns the number of bytes echoed. */
    static long echo(TlsChannel tls) throws Exception {
        BlockingQueue<byte[]> toEcho = new ArrayBlockingQueue<>(64);
        CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
            try {
                long echoed = 0;
                while (true) {
                    byte[] chunk = toEcho.take();
                    if (chunk.length == 0) {
                        tls.shutdownOutput();
                        return echoed;
                    }
                    tls.write(new ByteBuffer[] {ByteBuffer.wrap(chunk)});
                    echoed += chunk.length;
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        ByteBuffer b = ByteBuffer.allocate(50_000);      // odd size: partial records, direct and copied unwraps
        while (true) {
            b.clear();
            int n = tls.read(b);
            if (n < 0) {
                toEcho.put(new byte[0]);
                break;
            }
            toEcho.put(Arrays.copyOf(b.array(), n));
        }
        return writer.get(TlsPair.WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
