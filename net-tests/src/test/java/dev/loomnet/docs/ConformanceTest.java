package dev.loomnet.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/conformance.md is generated: the facts, their Node sources and the hand-written notes come from
 * {@code conformance/catalog.tsv}, and the tests of each fact from the {@code @Catalog} annotations of the test
 * classes on the test class path (net-tests' and net-loom's). The test fails with the regenerated page when the
 * file differs; {@code -Dconformance.write=true} writes it.
 */
class ConformanceTest {

    private static final String NODE_TESTS = "https://github.com/nodejs/node/blob/main/test/";

    @Test
    void docs_conformance_md_is_the_page_built_from_the_catalog_and_the_annotations() {
        String page = page(facts(), annotated());
        Path file = Repo.root().resolve("docs/conformance.md");
        if (Boolean.getBoolean("conformance.write")) {
            Repo.write(file, page);
        }
        if (!page.equals(Repo.read(file))) {
            fail("docs/conformance.md is out of date; run with -Dconformance.write=true, or paste this:\n\n" + page);
        }
    }

    @Test
    void every_annotated_number_is_a_fact_of_the_catalog() {
        Set<Integer> known = new TreeSet<>();
        facts().forEach(f -> known.add(f.number()));
        Set<Integer> unknown = new TreeSet<>(annotated().keySet());
        unknown.removeAll(known);
        assertEquals(Set.of(), unknown, "@Catalog numbers with no line in conformance/catalog.tsv");
    }

    @Test
    void the_scan_finds_the_annotations_of_both_modules() {
        Map<Integer, SortedSet<String>> tests = annotated();
        assertTrue(tests.getOrDefault(157, Collections.emptySortedSet()).contains("EchoSmokeTest"), "net-tests");
        assertTrue(tests.values().stream().anyMatch(s -> s.contains("SocketOptionsAppliedTest")), "net-loom");
    }

    /** One line of the catalog: a fact, the Node sources it was taken from, and its note (may be empty). */
    record Fact(String section, int number, String text, List<String> sources, String note) {
    }

    static List<Fact> facts() {
        List<Fact> facts = new ArrayList<>();
        String section = "";
        for (String line : resource("conformance/catalog.tsv").split("\n")) {
            if (line.startsWith("## ")) {
                section = line.substring(3);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                String[] cells = line.split("\t", -1);
                if (cells.length != 4) {
                    throw new IllegalStateException("catalog.tsv: not four cells: " + line);
                }
                facts.add(new Fact(section, Integer.parseInt(cells[0]), cells[1], List.of(cells[2].split(" ")),
                        cells[3]));
            }
        }
        return facts;
    }

    /**
     * The simple names of the test classes that carry each fact number in a {@code Catalog} annotation: those on
     * this test class path (net-tests') and net-loom's white-box tests, which its test-jar does not ship and
     * which are read from net-loom/target/test-classes (every reactor build compiles them before net-tests) with
     * net-loom's own classes in a loader of their own, since they share its package-private types.
     */
    static SortedMap<Integer, SortedSet<String>> annotated() {
        SortedMap<Integer, SortedSet<String>> tests = new TreeMap<>();
        ClassLoader loader = ConformanceTest.class.getClassLoader();
        Path loomTests = Repo.root().resolve("net-loom/target/test-classes");
        if (!Files.isDirectory(loomTests.resolve("dev/loomnet/loom"))) {
            throw new IllegalStateException(loomTests + " is missing: build with -am (net-loom's tests compiled)");
        }
        URL[] loomClasses;
        try {
            loomClasses = new URL[] {loomTests.toUri().toURL(),
                    loomTests.resolveSibling("classes").toUri().toURL()};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (URLClassLoader loom = new PackageFirstLoader(loomClasses, loader, "dev.loomnet.loom.")) {
            Set<String> names = testClassNames(loader);
            Set<String> loomNames = new TreeSet<>();
            collect(loomTests, loomNames);
            for (String name : names) {
                scan(Class.forName(name, false, loader), tests);
            }
            for (String name : loomNames) {
                scan(Class.forName(name, false, loom), tests);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return tests;
    }

    /** Loads the classes of one package from its own URLs first, everything else from the parent. */
    private static final class PackageFirstLoader extends URLClassLoader {
        private final String prefix;

        PackageFirstLoader(URL[] urls, ClassLoader parent, String prefix) {
            super(urls, parent);
            this.prefix = prefix;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(prefix)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> type = findLoadedClass(name);
                if (type == null) {
                    type = findClass(name);
                }
                if (resolve) {
                    resolveClass(type);
                }
                return type;
            }
        }
    }

    private static void scan(Class<?> type, Map<Integer, SortedSet<String>> tests) {
        for (Method method : type.getDeclaredMethods()) {
            for (Annotation a : method.getDeclaredAnnotations()) {
                if (a.annotationType().getSimpleName().equals("Catalog")) {
                    for (int n : numbers(a)) {
                        tests.computeIfAbsent(n, k -> new TreeSet<>()).add(type.getSimpleName());
                    }
                }
            }
        }
    }

    private static int[] numbers(Annotation catalog) {
        try {
            Method value = catalog.annotationType().getDeclaredMethod("value");
            value.setAccessible(true);
            return (int[]) value.invoke(catalog);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(catalog + " has no int[] value()", e);
        }
    }

    /** Every top-level class named {@code *Test} under {@code dev/loomnet} in each class path entry. */
    private static Set<String> testClassNames(ClassLoader loader) {
        Set<String> names = new TreeSet<>();
        try {
            for (URL url : Collections.list(loader.getResources("dev/loomnet"))) {
                URI uri = url.toURI();
                if (uri.getScheme().equals("jar")) {
                    try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                        collect(jar.getPath("/"), names);
                    }
                } else {
                    collect(Path.of(uri).getParent().getParent(), names);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    private static void collect(Path root, Set<String> names) throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("dev/loomnet"))) {
            files.map(p -> root.relativize(p).toString())
                    .filter(p -> p.endsWith("Test.class") && !p.contains("$"))
                    .forEach(p -> names.add(p.substring(0, p.length() - ".class".length()).replace('/', '.')));
        }
    }

    static String page(List<Fact> facts, Map<Integer, SortedSet<String>> tests) {
        StringBuilder rows = new StringBuilder();
        int tested = 0;
        int partly = 0;
        int differs = 0;
        int untested = 0;
        String section = null;
        for (Fact f : facts) {
            if (!f.section().equals(section)) {      // one table, a bold row per section: a header each is bulk
                section = f.section();
                rows.append("| | **").append(section).append("** | | | |\n");
            }
            SortedSet<String> classes = tests.getOrDefault(f.number(), Collections.emptySortedSet());
            String status;
            if (f.note().startsWith("differs: ")) {
                status = f.note();
                differs++;
            } else if (classes.isEmpty()) {
                status = "not tested";
                untested++;
            } else if (f.note().startsWith("partly: ")) {
                status = f.note();
                partly++;
            } else if (f.note().startsWith("note: ")) {
                status = "tested (" + f.note().substring("note: ".length()) + ")";
                tested++;
            } else {
                status = "tested";
                tested++;
            }
            String cited = cite(f.sources().get(0));     // the first source; catalog.tsv has them all
            List<String> named = new ArrayList<>();
            classes.forEach(c -> named.add(c.replaceFirst("Test$", "")));
            rows.append("| ").append(f.number()).append(" | ").append(f.text()).append(" | ")
                    .append(cited).append(" | ").append(String.join(", ", named)).append(" | ")
                    .append(status).append(" |\n");
        }
        StringBuilder page = new StringBuilder(resource("conformance/intro.md"));
        page.append("\n**Totals.** ").append(tested).append(" tested, ").append(partly).append(" partly tested, ")
                .append(differs).append(" differ, ").append(untested).append(" not tested (of ")
                .append(facts.size()).append(").\n\n| # | Fact | Node | Tests | Status |\n|---|---|---|---|---|\n")
                .append(rows).append('\n')
                .append(resource("conformance/interop.md"));
        return page.toString();
    }

    /**
     * A Node source as the table quotes it: a test of {@code test/parallel} by its name without {@code test-net-}
     * and {@code .js} (the intro says so and links the directory), the others linked.
     */
    private static String cite(String source) {
        if (source.equals("doc")) {
            return "[doc](https://nodejs.org/api/net.html)";
        }
        if (source.equals("lib/net.js")) {
            return "[lib/net.js](https://github.com/nodejs/node/blob/main/lib/net.js)";
        }
        if (source.contains("/")) {
            return "[" + source + "](" + NODE_TESTS + source + ")";
        }
        return "`" + source.replaceFirst("^test-net-", "").replaceFirst("\\.js$", "") + "`";
    }

    private static String resource(String name) {
        try (InputStream in = ConformanceTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
