package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What a failed {@code listen} reports: Node's code, syscall and message, and the cause underneath. */
class ListenErrorsTest {

    /** Listens as {@code listen} says and returns the error the server emits. */
    private static NetException listenError(java.util.function.Consumer<Server> listen) {
        AtomicReference<Throwable> error = new AtomicReference<>();
        Server server = Net.createServer().on(Server.ERROR, error::set);
        listen.accept(server);
        await().atMost(EventLog.WAIT).until(() -> error.get() != null);
        assertFalse(server.listening());
        return assertInstanceOf(NetException.class, error.get());
    }

    @Test
    void listen_on_a_host_that_does_not_resolve_reports_getaddrinfo_enotfound_as_node() {
        NetException e = listenError(s -> s.listen(0, "no-such-host.invalid"));
        assertEquals(NetException.ENOTFOUND, e.code());
        assertEquals("getaddrinfo ENOTFOUND no-such-host.invalid", e.getMessage());
        assertEquals("getaddrinfo", e.syscall());
        assertInstanceOf(java.net.UnknownHostException.class, e.getCause());
        assertNull(e.address());
    }
}
