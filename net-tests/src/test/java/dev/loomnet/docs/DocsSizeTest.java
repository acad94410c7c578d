package dev.loomnet.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/ stays a library's documentation: its Markdown totals less than {@value #BUDGET} bytes, so a page that
 * grows must make room elsewhere, and it holds Markdown only (benchmark results and other data live next to
 * the code that makes them).
 */
class DocsSizeTest {

    /** Bytes of Markdown that docs/ must stay below. */
    static final long BUDGET = 120_000;

    @Test
    void the_markdown_in_docs_totals_less_than_the_budget() {
        List<Map.Entry<String, Long>> sizes = new ArrayList<>();
        for (Path file : files()) {
            if (file.getFileName().toString().endsWith(".md")) {
                sizes.add(Map.entry(name(file), size(file)));
            }
        }
        overBudget(sizes).ifPresent(problem -> fail(problem));
    }

    @Test
    void docs_holds_only_markdown() {
        List<String> others = new ArrayList<>();
        for (Path file : files()) {
            if (!file.getFileName().toString().endsWith(".md")) {
                others.add(name(file));
            }
        }
        if (!others.isEmpty()) {
            fail("docs/ holds files other than Markdown (keep data next to the code that makes it): " + others);
        }
    }

    @Test
    void the_message_names_the_total_and_the_biggest_files_first() {
        assertEquals(Optional.empty(), overBudget(List.of(Map.entry("a.md", 119_999L))));
        assertEquals(Optional.of("docs/ holds 120,000 bytes of Markdown; it must stay below 120,000. Biggest first: "
                        + "b.md 70,000, a.md 40,000, c.md 10,000"),
                overBudget(List.of(Map.entry("a.md", 40_000L), Map.entry("b.md", 70_000L),
                        Map.entry("c.md", 10_000L))));
    }

    /** Empty within the budget, else what to say: the total and the files by size, biggest first (up to five). */
    static Optional<String> overBudget(List<Map.Entry<String, Long>> sizes) {
        long total = sizes.stream().mapToLong(Map.Entry::getValue).sum();
        if (total < BUDGET) {
            return Optional.empty();
        }
        List<String> biggest = sizes.stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(5)
                .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                .toList();
        return Optional.of(String.format(Locale.ROOT,
                "docs/ holds %,d bytes of Markdown; it must stay below %,d. Biggest first: %s",
                total, BUDGET, String.join(", ", biggest)));
    }

    /** Every regular file under docs/, subdirectories included, in a stable order. */
    private static List<Path> files() {
        try (Stream<Path> files = Files.walk(Repo.root().resolve("docs"))) {
            return files.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(Path file) {
        return Repo.root().resolve("docs").relativize(file).toString();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
