package dev.loomnet.tests.interop;

import static org.awaitility.Awaitility.await;

import dev.loomnet.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A {@code node} child process running one of the scripts in {@code src/test/resources/interop}, in the style
 * of {@link ChildJvm}: its stdout and its stderr are read line by line, each on its own virtual thread, into
 * a queue, and {@link #close()} (try-with-resources) kills it if it is still running and waits for it.
 */
final class NodeProcess implements AutoCloseable {

    /** Upper bound of every wait on a Node process; the conversations themselves take milliseconds. */
    static final Duration WAIT = Duration.ofSeconds(10);

    /** The oldest Node these scripts were written for ({@code resetAndDestroy} and {@code autoSelectFamily}). */
    static final int MIN_MAJOR = 20;

    private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.");
    private static final @Nullable Path NODE = findOnPath();

    private final String name;
    private final Process process;
    private final LinkedBlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> stderr = new LinkedBlockingQueue<>();
    private final Thread outReader;
    private final Thread errReader;

    private NodeProcess(String name, List<String> command) throws IOException {
        this.name = name;
        process = new ProcessBuilder(command).start();
        outReader = reader(process.getInputStream(), stdout);
        errReader = reader(process.getErrorStream(), stderr);
    }

    private static Thread reader(InputStream in, LinkedBlockingQueue<String> into) {
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

    private static @Nullable Path findOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        return Arrays.stream(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "node")).filter(Files::isExecutable).findFirst().orElse(null);
    }

    /**
     * Why the interop tests cannot run here, or empty when they can: {@code node} is on the {@code PATH} and
     * at least version {@value #MIN_MAJOR}. Asks {@code node --version} once per JVM.
     *
     * @return the reason to skip, for {@code Assumptions.assumeTrue}
     */
    static Optional<String> unavailable() {
        return Availability.REASON;
    }

    /** Holder: the check runs on first use, once. */
    private static final class Availability {
        static final Optional<String> REASON = check();
    }

    private static Optional<String> check() {
        if (NODE == null) {
            return Optional.of("node is not on the PATH: the Node interop tests are skipped (CI machines have Node "
                    + MIN_MAJOR + "+ installed)");
        }
        try {
            Process version = new ProcessBuilder(NODE.toString(), "--version").redirectErrorStream(true).start();
            String text;
            // One short line: it fits in the pipe, so waiting for the exit first cannot block the child.
            try (InputStream in = version.getInputStream()) {
                if (!version.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    return Optional.of(NODE + " --version gave no answer within " + WAIT
                            + ": the Node interop tests are skipped");
                }
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            } finally {
                if (version.isAlive()) {
                    version.destroyForcibly().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
            }
            Matcher m = VERSION.matcher(text);
            if (!m.lookingAt() || Integer.parseInt(m.group(1)) < MIN_MAJOR) {
                return Optional.of(NODE + " is '" + text + "', older than " + MIN_MAJOR
                        + ": the Node interop tests are skipped");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(NODE + " --version failed (" + e + "): the Node interop tests are skipped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while asking node for its version");
        }
    }

    /**
     * Starts {@code node script args...}.
     *
     * @param script the file name under {@code src/test/resources/interop}
     * @param args   the script's arguments
     * @return the running process
     * @throws IOException if it cannot start
     */
    static NodeProcess start(String script, String... args) throws IOException {
        if (NODE == null) {
            throw new IllegalStateException("node is not on the PATH");
        }
        Path file = ChildJvm.classesOf(NodeProcess.class).resolve("interop").resolve(script);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no script " + file);
        }
        List<String> command = new ArrayList<>(List.of(NODE.toString(), file.toString()));
        command.addAll(Arrays.asList(args));
        return new NodeProcess(script + " " + String.join(" ", args), command);
    }

    /** The lines printed on stdout so far, in order. */
    List<String> stdout() {
        return List.copyOf(stdout);
    }

    /** The lines printed on stderr so far, in order. */
    List<String> stderr() {
        return List.copyOf(stderr);
    }

    /**
     * Waits for a stdout line starting with {@code prefix} and returns what follows the prefix.
     *
     * @param prefix the start of the line
     * @return the rest of the first such line
     */
    String awaitLine(String prefix) {
        return awaitIn(stdout, prefix);
    }

    /**
     * Waits for a stderr line starting with {@code prefix} and returns what follows the prefix.
     *
     * @param prefix the start of the line
     * @return the rest of the first such line
     */
    String awaitErrLine(String prefix) {
        return awaitIn(stderr, prefix);
    }

    private String awaitIn(LinkedBlockingQueue<String> lines, String prefix) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> first(lines, prefix) != null || finished());
        String line = first(lines, prefix);
        if (line == null) {
            throw new AssertionError("no line starting with '" + prefix + "' from " + this);
        }
        return line.substring(prefix.length());
    }

    /** Exited, and both outputs read to the end: no more lines will come. */
    private boolean finished() {
        return !process.isAlive() && !outReader.isAlive() && !errReader.isAlive();
    }

    private static @Nullable String first(LinkedBlockingQueue<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
    }

    /**
     * Waits until the stderr lines starting with {@code prefix} number at least {@code count}.
     *
     * @param prefix the start of the lines
     * @param count  how many are wanted
     */
    void awaitErrLines(String prefix, int count) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() ->
                stderr.stream().filter(l -> l.startsWith(prefix)).count() >= count || finished());
        if (stderr.stream().filter(l -> l.startsWith(prefix)).count() < count) {
            throw new AssertionError("fewer than " + count + " lines starting with '" + prefix + "' from " + this);
        }
    }

    /**
     * Waits for the process to exit by itself, and for its output to be read to the end.
     *
     * @return its exit status
     * @throws InterruptedException if interrupted
     */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("still running after " + WAIT + ": " + this);
        }
        joinReaders();
        return process.exitValue();
    }

    /**
     * Waits for the process to exit by itself with status 0.
     *
     * @return its stdout lines
     * @throws InterruptedException if interrupted
     */
    List<String> awaitSuccess() throws InterruptedException {
        int status = awaitExit();
        if (status != 0) {
            throw new AssertionError("exit status " + status + ": " + this);
        }
        return stdout();
    }

    private void joinReaders() throws InterruptedException {
        // Both pipes are at end of file once the process is gone; the bound is only for a stuck reader.
        if (!outReader.join(WAIT) || !errReader.join(WAIT)) {
            throw new AssertionError("output of " + name + " still being read after " + WAIT);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("node did not die within " + WAIT + " of being killed: " + this);
            }
            joinReaders();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();         // AutoCloseable: keep the interrupt rather than throw it
        }
    }

    @Override
    public String toString() {
        return "node " + name + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
                + ", stdout " + stdout + ", stderr " + stderr;
    }
}
