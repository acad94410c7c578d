package dev.loomnet.tests.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Source scans for rules a running test cannot see on this machine's JDK 25: no {@code synchronized} and no
 * {@code Object.wait} in the implementation (they pin the carrier thread on Java 21), Javadoc on every public
 * API type, and {@code @NullMarked} in every package. Paths are relative to the net-tests module directory,
 * where surefire runs.
 */
class SourceContractTest {

    private static final Path LOOM = Path.of("..", "net-loom", "src", "main", "java");
    private static final Path API = Path.of("..", "net-api", "src", "main", "java");
    private static final Pattern SYNCHRONIZED = Pattern.compile("\\bsynchronized\\b");
    private static final Pattern WAIT_CALL = Pattern.compile("\\.wait\\s*\\(|(?<![\\w.])wait\\s*\\(\\s*\\d*\\s*\\)");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^public\\s+(?:(?:final|abstract|sealed|non-sealed|static|strictfp)\\s+)*"
                    + "(class|interface|enum|record|@interface)\\s+(\\w+)", Pattern.MULTILINE);

    private static List<Path> javaFiles(Path root) throws IOException {
        assertTrue(Files.isDirectory(root), root.toAbsolutePath() + " must exist (run from the net-tests module)");
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The source without comments and string literals, so that prose and messages do not count. */
    private static String code(Path file) throws IOException {
        String s = Files.readString(file, StandardCharsets.UTF_8);
        return s.replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\\n]*", " ")
                .replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
    }

    @Test
    void the_implementation_has_no_synchronized_and_no_object_wait() throws IOException {
        List<Path> files = javaFiles(LOOM);
        assertTrue(files.size() > 5, "found too few sources under " + LOOM.toAbsolutePath() + ": " + files);
        List<String> offences = new ArrayList<>();
        for (Path file : files) {
            String[] lines = code(file).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (SYNCHRONIZED.matcher(lines[i]).find() || WAIT_CALL.matcher(lines[i]).find()) {
                    offences.add(LOOM.relativize(file) + ":" + (i + 1) + ": " + lines[i].strip());
                }
            }
        }
        assertEquals(List.of(), offences, "use ReentrantLock/Condition (style rule 6)");
    }

    @Test
    void the_scan_itself_finds_synchronized_and_wait() {
        assertTrue(SYNCHRONIZED.matcher("    synchronized (lock) {").find());
        assertTrue(SYNCHRONIZED.matcher("private synchronized void f() {").find());
        assertTrue(WAIT_CALL.matcher("lock.wait(10);").find());
        assertTrue(WAIT_CALL.matcher("        wait();").find());
        assertTrue(!WAIT_CALL.matcher("awaitUninterruptibly();").find());
        assertTrue(!WAIT_CALL.matcher("runAndWait(task);").find());
    }

    @Test
    void every_public_top_level_api_type_has_a_javadoc_comment() throws IOException {
        List<String> missing = new ArrayList<>();
        int types = 0;
        for (Path file : javaFiles(API)) {
            if (file.getFileName().toString().endsWith("-info.java")) {
                continue;
            }
            String source = Files.readString(file, StandardCharsets.UTF_8);
            Matcher m = PUBLIC_TYPE.matcher(source);
            if (!m.find()) {
                continue;                                         // package-private type
            }
            types++;
            String before = source.substring(0, m.start()).replaceAll("(?m)^\\s*@[\\w.]+(\\([^)]*\\))?\\s*$", "")
                    .stripTrailing();
            if (!before.endsWith("*/") || before.lastIndexOf("/**") < 0
                    || before.lastIndexOf("/**") < before.lastIndexOf("import ")) {
                missing.add(API.relativize(file).toString());
            }
        }
        assertTrue(types >= 15, "found only " + types + " public types");
        assertEquals(List.of(), missing, "public types without Javadoc");
    }

    @Test
    void every_package_has_a_null_marked_package_info() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path root : List.of(API, LOOM)) {
            List<Path> dirs;
            try (Stream<Path> files = Files.walk(root)) {
                dirs = files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java"))
                        .map(Path::getParent).distinct().sorted().toList();
            }
            for (Path dir : dirs) {
                Path info = dir.resolve("package-info.java");
                if (!Files.exists(info)) {
                    problems.add(root.relativize(dir) + ": no package-info.java");
                } else if (!code(info).contains("@NullMarked")) {
                    problems.add(root.relativize(info) + ": not @NullMarked");
                }
            }
        }
        assertEquals(List.of(), problems);
    }
}
