package dev.loomnet.tests.lifetime;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running the test's own java and class path, with its output lines collected (the approach of
 * {@code tests/process/ChildJvm}). Always {@link #close()} it: try-with-resources.
 */
public final class ChildJvm implements AutoCloseable {

    /** Upper bound of every wait on a child. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ChildJvm(List<String> command) throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("<reader failed: " + e + ">");
            }
        });
    }

    /**
     * Starts {@code main} in a child JVM with this JVM's class path.
     *
     * @param main the class whose {@code main} to run
     * @param args its arguments
     * @return the running child
     */
    public static ChildJvm start(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");                 // start fast; these programs do little
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(Arrays.asList(args));
        return new ChildJvm(command);
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** The output lines so far. */
    public List<String> lines() {
        return lines;
    }

    /** Waits for an output line starting with {@code prefix} and returns it. */
    public String awaitLine(String prefix) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> lines.stream().anyMatch(l -> l.startsWith(prefix)) || !process.isAlive());
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "'; exited "
                        + !process.isAlive() + ", output " + lines));
    }

    /** Whether the child still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the child to exit by itself and returns its status. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("child still running after " + WAIT + "; output " + lines);
        }
        reader.join(Duration.ofSeconds(5));
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
        reader.join(Duration.ofSeconds(5));
    }
}
