package dev.loomnet.tests.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.testing.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dev.loomnet.AcceptFailed}: a server out of descriptors records the connections it closed instead of
 * accepting them, with the code, in a child JVM whose open-file limit is {@value #LIMIT}.
 */
class AcceptFailedEventTest {

    private static final int LIMIT = 128;

    @TempDir
    Path dir;

    @Test
    void a_server_out_of_descriptors_records_the_connections_it_closed_with_EMFILE() throws Exception {
        Path file = dir.resolve("emfile.jfr");
        try (ChildJvm child = ChildJvm.withOpenFileLimit(LIMIT, JfrEmfileServerMain.class)) {
            int port = Integer.parseInt(child.awaitLine("port ").substring(5));
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                assertTrue(echoed(c), "served while descriptors are free");
            }
            child.awaitLine("closed");                          // its descriptor is free before the hog takes all
            child.send("hog");
            child.awaitLine("hogged ");
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                assertFalse(echoed(c), "closed while none is free: " + child.lines());
            }
            child.send("free");
            child.awaitLine("freed");
            child.send("dump " + file);
            child.awaitLine("dumped");

            List<RecordedEvent> failed = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals(Recorded.ACCEPT_FAILED)).toList();
            assertFalse(failed.isEmpty(), child.lines()::toString);
            for (RecordedEvent e : failed) {
                assertEquals("127.0.0.1", e.getString("address"));
                assertEquals(port, e.getInt("port"));
                assertEquals("EMFILE", e.getString("errorCode"));
                assertFalse(e.getBoolean("reported"));
                assertTrue(e.getInt("connectionsClosed") > 0, e::toString);
            }
            assertEquals(1, failed.stream().mapToInt(e -> e.getInt("connectionsClosed")).sum(), failed::toString);
        }
    }

    /** Sends a byte: true if it came back, false if the server closed the connection instead. */
    private static boolean echoed(SocketChannel c) throws IOException {
        c.socket().setSoTimeout(10_000);
        try {
            c.write(ByteBuffer.wrap(new byte[] {42}));
            InputStream in = c.socket().getInputStream();
            return in.read() == 42;
        } catch (IOException e) {
            return false;                                       // reset by the server
        }
    }
}
