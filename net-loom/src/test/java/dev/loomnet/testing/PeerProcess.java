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

    /**
     * The class-path resource {@code name} (such as {@code interop/tls-peer.js}) as a file that a peer program can
     * be given: the resource itself when the class path is a directory, else a copy deleted at exit.
     */
    public static Path resource(String name) throws IOException {
        java.net.URL url = PeerProcess.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IOException("no resource " + name + " on the class path");
        }
        if (url.getProtocol().equals("file")) {
            try {
                return Path.of(url.toURI());
            } catch (java.net.URISyntaxException e) {
                throw new IOException(e);
            }
        }
        Path copy = Files.createTempFile("loomnet-", "-" + Path.of(name).getFileName());
        copy.toFile().deleteOnExit();
        try (InputStream in = url.openStream()) {
            Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }

    /**
     * Why the TLS interop tests with Node cannot run here (no {@code node} on the {@code PATH}, or one older than
     * 20), or empty when they can.
     */
    public static Optional<String> nodeMissing() throws IOException, InterruptedException {
        Optional<Path> node = find("node");
        if (node.isEmpty()) {
            return Optional.of("node is not on the PATH: the TLS interop tests with Node are skipped");
        }
        try (PeerProcess v = start(List.of(node.get().toString(), "--version"))) {
            String text = v.awaitLine("v");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\.").matcher(text);
            if (!m.lookingAt() || Integer.parseInt(m.group(1)) < 20) {
                return Optional.of("node is v" + text + ", older than 20: the TLS interop tests with Node are skipped");
            }
        }
        return Optional.empty();
    }

    /** JSON for a peer script's options: strings, numbers, booleans, lists and maps. */
    public static String json(Object value) {
        if (value instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (value instanceof java.util.Map<?, ?> m) {
            List<String> parts = new java.util.ArrayList<>();
            m.forEach((k, v) -> parts.add(json(String.valueOf(k)) + ":" + json(v)));
            return "{" + String.join(",", parts) + "}";
        }
        if (value instanceof List<?> l) {
            return "[" + String.join(",", l.stream().map(PeerProcess::json).toList()) + "]";
        }
        return String.valueOf(value);
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
