package dev.loomnet.loom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TLS 1.3 KeyUpdate during transfer, in a child JVM with {@code jdk.tls.keyLimits} at 2^19 bytes
 * ({@link TlsKeyUpdateMain}): the data arrives intact in both directions while reader and writer run at once,
 * and when the reader alone needs to send a KeyUpdate it hands it to the writer side.
 */
class TlsKeyUpdateTest {

    @Test
    void key_updates_during_concurrent_transfer_lose_and_duplicate_nothing() throws Exception {
        Path props = Files.createTempFile("loomnet-keylimits", ".security");
        try {
            Files.writeString(props, "jdk.tls.keyLimits=AES/GCM/NoPadding KeyUpdate 2^19, "
                    + "ChaCha20-Poly1305 KeyUpdate 2^19\n", StandardCharsets.US_ASCII);
            try (ChildJvm child = ChildJvm.start(List.of("-cp", System.getProperty("java.class.path"),
                    "-Djava.security.properties=" + props, "-Djavax.net.debug=ssl:handshake"),
                    TlsKeyUpdateMain.class)) {
                assertEquals(0, child.awaitExit(), () -> String.join("\n", tail(child.lines())));
                List<String> lines = child.lines();
                assertTrue(lines.contains("echo-sha-equal=true"), () -> String.join("\n", tail(lines)));
                assertTrue(lines.contains("oneway-sha-equal=true"), () -> String.join("\n", tail(lines)));
                long updates = lines.stream().filter(l -> l.contains("KeyUpdate: write key updated")).count();
                // 8 MiB each way, then 4 MiB: dozens of updates at one per 512 KiB (the JDK logs each side's)
                assertTrue(updates >= 20, "KeyUpdates logged: " + updates);
                String flushes = lines.stream().filter(l -> l.startsWith("server-flushes=")).findFirst().orElseThrow();
                assertTrue(Integer.parseInt(flushes.substring("server-flushes=".length())) > 0,
                        "the server's reader handed a KeyUpdate to a writer: " + flushes);
            }
        } finally {
            Files.deleteIfExists(props);
        }
    }

    private static List<String> tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 40), lines.size());
    }
}
