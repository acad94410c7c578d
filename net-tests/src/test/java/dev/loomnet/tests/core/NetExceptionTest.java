package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** NetException fields for system errors, and option builders rejecting bad values with Node's codes. */
class NetExceptionTest {

    @Test
    @Catalog(67)
    void econnrefused_carries_code_syscall_address_port_and_the_io_cause() {          // #67
        int port = Loopback.closedPort();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Socket s = Net.socket().on(Socket.ERROR, error::set);
        EventLog log = EventLog.withoutData(s);
        s.connect(ConnectOptions.builder().port(port).host("127.0.0.1").build());
        log.awaitClosed();
        NetException e = assertInstanceOf(NetException.class, error.get());
        assertEquals(NetException.ECONNREFUSED, e.code());
        assertEquals("connect", e.syscall());
        assertEquals("127.0.0.1", e.address());
        assertEquals(port, e.port());
        assertEquals("connect ECONNREFUSED 127.0.0.1:" + port, e.getMessage());
        assertInstanceOf(IOException.class, e.getCause());
    }

    @Test
    @Catalog({14, 16})
    void eaddrinuse_carries_code_syscall_address_and_port() {                          // #14, #16
        Server first = Net.createServer().listen(0, "127.0.0.1");
        int port = first.address().port();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Net.createServer().on(Server.ERROR, error::set)
                .listen(ListenOptions.builder().port(port).host("127.0.0.1").build());
        await().atMost(EventLog.WAIT).until(() -> error.get() != null);
        NetException e = assertInstanceOf(NetException.class, error.get());
        assertEquals(NetException.EADDRINUSE, e.code());
        assertEquals("listen", e.syscall());
        assertEquals("127.0.0.1", e.address());
        assertEquals(port, e.port());
        assertEquals("listen EADDRINUSE: address already in use 127.0.0.1:" + port, e.getMessage());
        Loopback.closeAndWait(first);
    }

    @Test
    @Catalog(40)
    void connect_options_without_port_or_path_throw_err_missing_args() {               // #40
        NetException e = assertThrows(NetException.class, () -> ConnectOptions.builder().build());
        assertEquals(NetException.ERR_MISSING_ARGS, e.code());
        assertEquals("The \"options\" or \"port\" or \"path\" argument must be specified", e.getMessage());
        NetException h = assertThrows(NetException.class, () -> ConnectOptions.builder().host("127.0.0.1").build());
        assertEquals(NetException.ERR_MISSING_ARGS, h.code());
    }

    @Test
    @Catalog(23)
    void listen_options_without_port_or_path_throw_err_invalid_arg_value() {           // #23
        NetException e = assertThrows(NetException.class, () -> ListenOptions.builder().build());
        assertEquals(NetException.ERR_INVALID_ARG_VALUE, e.code());
        assertTrue(e.getMessage().contains("must have the property \"port\" or \"path\""), e.getMessage());
        NetException h = assertThrows(NetException.class, () -> ListenOptions.builder().host("127.0.0.1").build());
        assertEquals(NetException.ERR_INVALID_ARG_VALUE, h.code());
    }

    @Test
    @Catalog({20, 22, 41})
    void option_builders_reject_bad_ports_with_err_socket_bad_port() {                 // #20, #41
        for (int bad : new int[] {-1, 65536}) {
            assertEquals(NetException.ERR_SOCKET_BAD_PORT,
                    assertThrows(NetException.class, () -> ConnectOptions.builder().port(bad)).code());
            assertEquals(NetException.ERR_SOCKET_BAD_PORT,
                    assertThrows(NetException.class, () -> ListenOptions.builder().port(bad)).code());
            assertEquals(NetException.ERR_SOCKET_BAD_PORT,
                    assertThrows(NetException.class, () -> Net.connect(bad, "127.0.0.1")).code());
            assertEquals(NetException.ERR_SOCKET_BAD_PORT,
                    assertThrows(NetException.class, () -> Net.socket().connect(bad)).code());
        }
        NetException e = assertThrows(NetException.class, () -> ConnectOptions.builder().port(65536));
        assertEquals("Port should be >= 0 and < 65536. Received type number (65536).", e.getMessage());
    }
}
