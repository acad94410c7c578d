package dev.loomnet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An {@code openssl s_server} or {@code s_client} process run with {@code -quiet}, for the TLS interop tests of
 * both modules: a thread feeds {@code total} pseudo-random bytes ({@link #stream}) to its stdin (kept open
 * until {@link #close()}), another hashes its stdout, a third collects stderr.
 */
public final class OpensslPeer implements AutoCloseable {

    /** The seed of the bytes fed to the peer. */
    public static final int FEED_SEED = 3;

    public final Process process;
    public final MessageDigest fed = sha256();
    public final MessageDigest out = sha256();
    public final StringBuffer err = new StringBuffer();
    public volatile long outCount;
    public final CompletableFuture<Void> feeder;
    public final CompletableFuture<Void> reader;
    private final Thread errReader;
    private final OutputStream stdin;

    private OpensslPeer(Path openssl, List<String> args, int total) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(openssl.toString());
        command.addAll(args);
        process = new ProcessBuilder(command).start();
        stdin = process.getOutputStream();
        feeder = CompletableFuture.runAsync(() -> {
            try {
                stream(FEED_SEED, total, piece -> {
                    fed.update(piece);
                    stdin.write(piece);
                });
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

    /** {@code openssl} on the {@code PATH}, if any. */
    public static Optional<Path> find() {
        return PeerProcess.find("openssl");
    }

    /** Starts {@code openssl args...}, feeding it {@code total} bytes. */
    public static OpensslPeer start(Path openssl, List<String> args, int total) throws IOException {
        return new OpensslPeer(openssl, args, total);
    }

    /** What receives the pieces of {@link #stream}. */
    @FunctionalInterface
    public interface Pieces {
        void accept(byte[] piece) throws IOException;
    }

    /** {@code total} pseudo-random bytes from {@code seed}, in pieces of 16 KiB (the piece array is reused). */
    public static void stream(int seed, long total, Pieces to) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[16 * 1024];
        for (long left = total; left > 0; left -= chunk.length) {
            byte[] piece = left >= chunk.length ? chunk : new byte[(int) left];
            random.nextBytes(piece);
            to.accept(piece);
        }
    }

    /** The SHA-256 of {@link #stream}{@code (seed, total)}. */
    public static byte[] sha256Of(int seed, long total) {
        MessageDigest d = sha256();
        try {
            stream(seed, total, d::update);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return d.digest();
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A port that was free a moment ago (for {@code s_server -accept}). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Whether the process is still running. */
    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // it exited already
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            errReader.join(PeerProcess.WAIT);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();           // the test is being stopped
        }
    }
}
