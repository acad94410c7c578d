package dev.loomnet.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block in README.md and docs/*.md is a region of a compiled source, so no example in the
 * docs can stop compiling. A block is preceded by {@code <!-- snippet: NAME -->}, and its text must equal the
 * region between {@code // tag::NAME[]} and {@code // end::NAME[]} in a Java file of net-tests (main or test
 * sources), without the region's common indentation. {@code -Dsnippets.write=true} rewrites the blocks from the
 * sources instead of checking them.
 */
class SnippetsTest {

    private static final Pattern BLOCK =
            Pattern.compile("(?:<!-- snippet: ([\\w.-]+) -->\\n)?```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile("^\\s*// tag::([\\w.-]+)\\[]\\s*$");

    @Test
    void every_java_block_in_the_docs_is_a_tagged_region_of_a_compiled_source() {
        Map<String, String> regions = regions(Repo.root().resolve("net-tests/src"));
        boolean write = Boolean.getBoolean("snippets.write");
        List<String> problems = new ArrayList<>();
        for (Path doc : Repo.documents()) {
            String text = Repo.read(doc);
            Matcher m = BLOCK.matcher(text);
            StringBuilder rewritten = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String where = Repo.root().relativize(doc) + " line " + line(text, m.start());
                String replacement = m.group();
                if (name == null) {
                    problems.add(where + ": a ```java block without a <!-- snippet: NAME --> line above it");
                } else if (!regions.containsKey(name)) {
                    problems.add(where + ": no region // tag::" + name + "[] in net-tests/src");
                } else if (!regions.get(name).equals(m.group(2))) {
                    if (write) {
                        replacement = "<!-- snippet: " + name + " -->\n```java\n" + regions.get(name) + "```";
                    } else {
                        problems.add(where + ": snippet " + name + " differs from its source:\n"
                                + diff(regions.get(name), m.group(2)));
                    }
                }
                m.appendReplacement(rewritten, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(rewritten);
            if (write && !rewritten.toString().equals(text)) {
                Repo.write(doc, rewritten.toString());
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n\n", problems)
                    + "\n\nRun with -Dsnippets.write=true to copy the tagged regions into the docs.");
        }
    }

    @Test
    void a_region_is_its_lines_without_their_common_indentation() {
        assertEquals("a();\n    b();\n", dedent(List.of("        a();", "            b();")));
    }

    /** Every tagged region under {@code src}, by name, as the docs show it (dedented, ending with a newline). */
    private static Map<String, String> regions(Path src) {
        Map<String, String> regions = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher tag = TAG.matcher(lines.get(i));
                    if (tag.matches()) {
                        String end = "// end::" + tag.group(1) + "[]";
                        int j = i + 1;
                        while (j < lines.size() && !lines.get(j).strip().equals(end)) {
                            j++;
                        }
                        if (j == lines.size()) {
                            throw new IllegalStateException(file + ": " + tag.group(1) + " has no " + end);
                        }
                        if (regions.put(tag.group(1), dedent(lines.subList(i + 1, j))) != null) {
                            throw new IllegalStateException(file + ": a second region " + tag.group(1));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return regions;
    }

    private static String dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder out = new StringBuilder();
        for (String l : lines) {
            out.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return out.toString();
    }

    private static int line(String text, int offset) {
        return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
    }

    /** The first differing line of the two texts, with a line of context each side. */
    private static String diff(String expected, String actual) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        int i = 0;
        while (i < e.length && i < a.length && e[i].equals(a[i])) {
            i++;
        }
        return "  line " + (i + 1) + " of the block\n  source: " + (i < e.length ? e[i] : "(end)")
                + "\n  doc:    " + (i < a.length ? a[i] : "(end)");
    }
}
