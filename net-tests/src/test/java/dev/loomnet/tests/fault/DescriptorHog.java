package dev.loomnet.tests.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The command loop of the child programs that exhaust their descriptor table: reads commands from standard
 * input until it ends. {@code hog} opens files until no descriptor is left ({@code hogged N}), {@code free}
 * closes them again ({@code freed}); any other line goes to the program's own handler.
 */
public final class DescriptorHog {

    private DescriptorHog() {
    }

    /**
     * Runs the loop until standard input ends.
     *
     * @param other the program's own commands; returns false for a line it does not know (ignored)
     * @throws IOException if standard input or closing a file fails
     */
    public static void run(Predicate<String> other) throws IOException {
        List<FileChannel> hog = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("hog")) {
                try {
                    for (int i = 0; i < 100_000; i++) {
                        hog.add(FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ));
                    }
                } catch (IOException expected) {
                    // the limit is reached
                }
                System.out.println("hogged " + hog.size());
            } else if (line.equals("free")) {
                for (FileChannel f : hog) {
                    f.close();
                }
                hog.clear();
                System.out.println("freed");
            } else {
                other.test(line);
            }
        }
    }
}
