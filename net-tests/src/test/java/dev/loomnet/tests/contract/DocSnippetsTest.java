package dev.loomnet.tests.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code java} blocks of the listed documents are compiled code: each equals a region of an example class
 * marked {@code // tag::NAME[]} ... {@code // end::NAME[]} (its Javadoc left out, indentation removed), so a
 * snippet cannot drift from code that compiles and is tested.
 */
class DocSnippetsTest {

    private static final Path EXAMPLES = Path.of("src", "main", "java", "dev", "loomnet", "examples");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TAGGED = Pattern.compile("// tag::([\\w-]+)\\[]\n(.*?)// end::\\1\\[]",
            Pattern.DOTALL);

    @ParameterizedTest
    @ValueSource(strings = {"tls.md"})
    void every_java_block_is_a_tagged_region_of_an_example(String document) throws IOException {
        List<String> regions = regions();
        String text = Files.readString(Path.of("..", "docs", document));
        Matcher m = JAVA_BLOCK.matcher(text);
        List<String> missing = new ArrayList<>();
        int blocks = 0;
        while (m.find()) {
            blocks++;
            if (!regions.contains(m.group(1).strip())) {
                missing.add(m.group(1));
            }
        }
        assertFalse(blocks == 0, document + " has no java block");
        assertEquals(List.of(), missing, "java blocks of " + document + " that no example's tagged region holds");
    }

    private static List<String> regions() throws IOException {
        List<String> regions = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = TAGGED.matcher(Files.readString(f));
                while (m.find()) {
                    regions.add(snippet(m.group(2)));
                }
            }
        }
        return regions;
    }

    /** The region without its leading Javadoc, one indentation level (4 spaces) removed. */
    private static String snippet(String region) {
        String code = region.strip().startsWith("/**") ? region.substring(region.indexOf("*/") + 2) : region;
        List<String> lines = new ArrayList<>();
        for (String line : code.split("\n", -1)) {
            lines.add(line.startsWith("    ") ? line.substring(4) : line);
        }
        return String.join("\n", lines).strip();
    }
}
