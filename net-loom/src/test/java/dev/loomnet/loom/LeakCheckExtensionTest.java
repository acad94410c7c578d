package dev.loomnet.loom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import org.junit.jupiter.api.Test;

/**
 * The white-box tests run under {@link LeakCheckExtension}: it is registered by service loading, which silently
 * registers nothing when the descriptor is not found (on the module path, for one: {@code ServiceLoader} ignores
 * a {@code META-INF/services} entry whose class is in a named module), so this checks that it is.
 */
class LeakCheckExtensionTest {

    @Test
    void every_test_of_net_loom_runs_under_the_leak_check() {
        assertTrue(LeakCheckExtension.active(), "LeakCheckExtension is not registered for this test");
    }

    @Test
    void a_channel_open_counts_as_one_more_socket_descriptor() throws IOException {
        long before = LeakCheckExtension.socketFds();
        assumeTrue(before >= 0, "no /proc/self/fd on this system");
        try (ServerSocketChannel channel = ServerSocketChannel.open()) {
            assertTrue(channel.isOpen());
            assertEquals(before + 1, LeakCheckExtension.socketFds());
        }
        assertEquals(before, LeakCheckExtension.socketFds());
    }
}
