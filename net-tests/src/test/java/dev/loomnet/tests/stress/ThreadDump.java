package dev.loomnet.tests.stress;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The stacks of loomnet's threads, virtual ones included ({@code Thread.getAllStackTraces} leaves those out), for
 * the report of a pair that did not settle: where its connection and writer threads wait is the diagnosis.
 */
final class ThreadDump {

    /** Enough for the few sockets of one scenario, not a wall of text if many leaked. */
    private static final int MAX_CHARS = 20_000;

    private ThreadDump() {
    }

    /** The stack of each thread whose name starts with {@code loomnet-} or {@code writer-}, or why there is none. */
    static String loomnetThreads() {
        try {
            Path file = Files.createTempFile("chaos-threads", ".txt");
            Files.delete(file);                          // dumpThreads refuses to overwrite
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
                String dump = Arrays.stream(Files.readString(file).split("\n\n"))
                        .filter(section -> section.matches("(?s)#\\d+ \"(loomnet-|writer-).*"))
                        .collect(Collectors.joining("\n\n"));
                return dump.length() > MAX_CHARS ? dump.substring(0, MAX_CHARS) + "\n..." : dump;
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException e) {
            return "no thread dump: " + e;
        }
    }
}
