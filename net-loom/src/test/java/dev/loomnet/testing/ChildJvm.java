package dev.loomnet.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A child JVM running the same java (for the JVM-lifetime, module-path and multi-process tests); collects its
 * output lines. Always {@link #close()} it (try-with-resources): it is killed if still running.
 */
public final class ChildJvm implements AutoCloseable {

    /** Linux's {@code USER_HZ}, the unit of the CPU times in {@code /proc}: 100 on every common platform. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

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
     * Runs {@code main} with the test's own class path.
     *
     * @param main the class whose {@code main} to run
     * @param args its arguments
     * @return the running child
     * @throws IOException if the process cannot start
     */
    public static ChildJvm onClassPath(Class<?> main, String... args) throws IOException {
        return start(List.of("-cp", System.getProperty("java.class.path")), main, args);
    }

    /** Runs {@code main} with extra JVM arguments (class or module path included) before the class name. */
    public static ChildJvm start(List<String> jvmArgs, Class<?> main, String... args) throws IOException {
        return new ChildJvm(javaCommand(jvmArgs, main, args));
    }

    /**
     * Runs {@code main} on the test class path in a process whose open-file limit is {@code limit} (bash's
     * {@code ulimit -n}, then {@code exec} of the JVM), for tests of what happens when descriptors run out.
     */
    public static ChildJvm withOpenFileLimit(int limit, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + limit + " && exec \"$0\" \"$@\""));
        command.addAll(javaCommand(List.of("-cp", System.getProperty("java.class.path")), main, args));
        return new ChildJvm(command);
    }

    private static List<String> javaCommand(List<String> jvmArgs, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");                 // start fast; these programs do little
        command.addAll(jvmArgs);
        command.add(main.getName());
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** The test class path entries. */
    public static List<Path> classPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    /** The class path entry (jar or classes directory) whose path mentions {@code name}. */
    public static Path entry(String name) {
        return classPath().stream().filter(p -> p.toString().contains(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not on the class path " + classPath()));
    }

    /** The jar whose file name starts with {@code prefix}. */
    public static Path jar(String prefix) {
        return classPath().stream().filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError(prefix + " jar not on the class path " + classPath()));
    }

    /**
     * The directory (or jar) the class {@code anchor} was loaded from: a module's test classes, with their
     * resources.
     *
     * @param anchor a class of the test classes wanted
     * @return its code source as a path
     */
    public static Path classesOf(Class<?> anchor) {
        try {
            return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** The paths joined with the platform's path separator. */
    public static String join(Path... paths) {
        return String.join(File.pathSeparator, Arrays.stream(paths).map(Path::toString).toList());
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
        await().atMost(WAIT).until(() -> lines.stream().anyMatch(l -> l.startsWith(prefix)) || !process.isAlive());
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "'; exited "
                        + !process.isAlive() + ", output " + lines));
    }

    /**
     * Writes {@code line} and a newline to the child's standard input, for programs that take commands.
     *
     * @param line the command
     * @throws IOException if the child's input is closed
     */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /**
     * The CPU time (user and system) the child's threads whose name starts with {@code namePrefix} have used
     * so far, from Linux's {@code /proc/<pid>/task/<tid>/stat}; -1 where that is not available. Only the first
     * 15 characters of a thread name are visible there.
     *
     * @param namePrefix the start of the thread names, e.g. {@code ForkJoinPool-1-} for the carriers of
     *                   virtual threads
     * @return the CPU time in milliseconds, at the kernel's tick resolution (usually 10 ms)
     */
    public long cpuMillis(String namePrefix) throws IOException {
        Path tasks = Path.of("/proc", String.valueOf(process.pid()), "task");
        if (!Files.isDirectory(tasks)) {
            return -1;
        }
        String prefix = namePrefix.length() > 15 ? namePrefix.substring(0, 15) : namePrefix;
        long ticks = 0;
        try (Stream<Path> all = Files.list(tasks)) {
            for (Path task : all.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // "tid (comm) state ...": comm may hold spaces and parentheses, so split at the last ')'
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (!stat.substring(open + 1, close).startsWith(prefix)) {
                        continue;
                    }
                    String[] fields = stat.substring(close + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);   // utime, stime
                } catch (NoSuchFileException ended) {
                    // the thread ended while listing
                }
            }
        }
        return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
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
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();         // AutoCloseable: keep the interrupt rather than throw it
        }
    }
}
