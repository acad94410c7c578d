package dev.loomnet.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The docs (README.md, CHANGELOG.md, docs/*.md) link only to what a clone has: every relative link names a file
 * or directory of the repository (and, for a Markdown file, one of its headings when it has an anchor), and
 * nothing points at the reference material outside it.
 */
class LinksTest {

    /** Inline links {@code [text](target)} and reference definitions {@code [name]: target}. */
    private static final Pattern LINK =
            Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)|^\\[[^\\]]+\\]:\\s*(\\S+)", Pattern.MULTILINE);
    private static final Pattern FENCE = Pattern.compile("^```.*?^```", Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern CODE = Pattern.compile("`[^`\\n]*`");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*)$", Pattern.MULTILINE);

    @Test
    void every_relative_link_in_the_docs_exists_in_the_repository() {
        Path root = Repo.root();
        List<String> problems = new ArrayList<>();
        for (Path doc : Repo.documents()) {
            String text = Repo.read(doc);
            String where = root.relativize(doc).toString();
            if (text.contains("/work/shared") || text.contains("../shared") || text.contains("shared/spec")
                    || text.contains("shared/bench")) {
                problems.add(where + ": mentions the reference material outside the repository (shared/...)");
            }
            Matcher m = LINK.matcher(CODE.matcher(FENCE.matcher(text).replaceAll("")).replaceAll(""));
            while (m.find()) {
                String target = m.group(1) != null ? m.group(1) : m.group(2);
                String problem = check(root, doc, target);
                if (problem != null) {
                    problems.add(where + ": " + target + ": " + problem);
                }
            }
        }
        if (!problems.isEmpty()) {
            fail("Broken links in the docs:\n" + String.join("\n", problems));
        }
    }

    @Test
    void anchors_are_githubs_heading_slugs() {
        assertEquals("3-ending-and-closing", slug("3. Ending and closing"));
        assertEquals("ref-unref-and-jvm-lifetime", slug("`ref`, `unref` and JVM lifetime"));
    }

    private static String check(Path root, Path doc, String target) {
        if (target.matches("^[a-z]+:.*")) {
            return target.startsWith("file:") ? "a file: URL" : null;
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path file = path.isEmpty() ? doc : doc.getParent().resolve(path).normalize();
        if (path.startsWith("/") || !file.startsWith(root)) {
            return "outside the repository";
        }
        if (!Files.exists(file)) {
            return "no such file";
        }
        if (anchor != null && file.toString().endsWith(".md") && !anchors(file).contains(anchor)) {
            return "no heading with the anchor #" + anchor;
        }
        return null;
    }

    private static Set<String> anchors(Path md) {
        Set<String> anchors = new HashSet<>();
        Matcher m = HEADING.matcher(FENCE.matcher(Repo.read(md)).replaceAll(""));
        while (m.find()) {
            String slug = slug(m.group(1));
            String unique = slug;
            for (int n = 1; !anchors.add(unique); n++) {
                unique = slug + "-" + n;
            }
        }
        return anchors;
    }

    /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
    static String slug(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
