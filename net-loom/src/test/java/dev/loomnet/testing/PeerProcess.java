package dev.loomnet.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An external peer program for the TLS interop tests ({@code node}, {@code openssl}): started with
 * {@link ProcessBuilder}, its stdout and stderr read line by line on virtual threads, killed by
 * {@link #close()} if still running. (The {@code net} interop tests' {@code NodeProcess} is package-private in
 * another package; this one serves the white-box TLS tests in {@code dev.loomnet.loom}.)
 */
public final class PeerProcess implements AutoCloseable {

    /** Upper bound of every wait on a peer. */
    public static final Duration WAIT = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    private PeerProcess(List<String> command) throws IOException {
        this.name = String.join(" ", command);
        this.process = new ProcessBuilder(command).start();
        this.outReader = reader(process.getInputStream(), out);
        this.errReader = reader(process.getErrorStream(), err);
    }

    private static Thread reader(InputStream in, List<String> into) {
        return Thread.ofVirtual().start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    into.add(line);
                }
            } catch (IOException e) {
                into.add("<reader failed: " + e + ">");
            }
        });
    }

    /** The executable {@code program} on the {@code PATH}, if any. */
    public static Optional<Path> find(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(File.pathSeparator)).filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, program)).filter(Files::isExecutable).findFirst();
    }

    /** Starts {@code command}. */
    public static PeerProcess start(List<String> command) throws IOException {
        return new PeerProcess(command);
    }

    /** The stdout lines so far. */
    public List<String> lines() {
        return List.copyOf(out);
    }

    /** Waits for a stdout line starting with {@code prefix}; returns the rest of it. */
    public String awaitLine(String prefix) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> first(prefix) != null || finished());
        String line = first(prefix);
        if (line == null) {
            throw new AssertionError("no line starting with '" + prefix + "' from " + this);
        }
        return line.substring(prefix.length());
    }

    private @Nullable String first(String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
    }

    private boolean finished() {
        return !process.isAlive() && !outReader.isAlive() && !errReader.isAlive();
    }

    /** Waits for the process to exit by itself; returns its status. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("still running after " + WAIT + ": " + this);
        }
        outReader.join(WAIT);
        errReader.join(WAIT);
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            outReader.join(WAIT);
            errReader.join(WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();           // the test is being stopped; the process is killed
        }
    }

    @Override
    public String toString() {
        return name + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")") + ", stdout " + out
                + ", stderr " + err;
    }
}
