package dev.loomnet.loom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.loomnet.net.NetException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/**
 * {@link Errors}: a failure the JDK words in a way loomnet has no code for is {@code UNKNOWN}, which says
 * nothing by itself, so its message keeps the JDK's words and its cause the JDK's exception.
 */
class ErrorsTest {

    private static final IOException ODD = new SocketException("Protocol wrong type for socket");

    @Test
    void an_unknown_read_error_keeps_the_jdk_message_and_cause() {
        NetException e = Errors.io(ODD, "read");
        assertEquals("UNKNOWN", e.code());
        assertEquals("read UNKNOWN (Protocol wrong type for socket)", e.getMessage());
        assertSame(ODD, e.getCause());
    }

    @Test
    void an_unknown_connect_error_keeps_the_jdk_message_and_cause() {
        NetException e = Errors.connect(ODD, new InetSocketAddress("127.0.0.1", 80));
        assertEquals("connect UNKNOWN 127.0.0.1:80 (Protocol wrong type for socket)", e.getMessage());
        assertEquals("127.0.0.1", e.address());
        assertSame(ODD, e.getCause());
    }

    @Test
    void an_unknown_listen_error_keeps_the_jdk_message_and_cause() {
        NetException e = Errors.listen(ODD, "127.0.0.1", 80);
        assertEquals("listen UNKNOWN: unknown error 127.0.0.1:80 (Protocol wrong type for socket)", e.getMessage());
        assertSame(ODD, e.getCause());
    }

    @Test
    void a_known_error_has_node_s_message_alone() {
        assertEquals("read ECONNRESET", Errors.io(new SocketException("Connection reset"), "read").getMessage());
    }
}
