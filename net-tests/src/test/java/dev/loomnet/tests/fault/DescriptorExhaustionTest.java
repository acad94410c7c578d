package dev.loomnet.tests.fault;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Running out of descriptors ({@code EMFILE}), in child JVMs with an open-file limit of {@value #LIMIT}: a
 * server closes the connections it cannot accept, as Node (libuv) does, instead of leaving their clients
 * waiting in the backlog, and recovers once descriptors are free; a client's {@code connect} fails with
 * {@code EMFILE} as an {@code ERROR}, and works again once descriptors are free.
 */
class DescriptorExhaustionTest {

    private static final int LIMIT = 128;
    private static final int CLIENTS = 300;

    @Test
    void a_server_out_of_descriptors_closes_the_connections_it_cannot_accept_and_recovers() throws Exception {
        List<SocketChannel> clients = new ArrayList<>();
        try (ChildJvm child = ChildJvm.withOpenFileLimit(LIMIT, EmfileServerMain.class)) {
            int port = Integer.parseInt(child.awaitLine("port ").substring(5));
            int echoed = 0;
            int closed = 0;
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                clients.add(c);
                switch (exchange(c)) {
                    case ECHOED -> echoed++;
                    case CLOSED -> closed++;
                }
            }
            // Below the limit every connection is served; above it, each is closed, none left waiting.
            assertTrue(echoed >= LIMIT / 2 && echoed < LIMIT, "echoed " + echoed + ", closed " + closed);
            assertEquals(CLIENTS, echoed + closed);
            assertTrue(child.isAlive(), child.lines()::toString);
            assertFalse(child.lines().stream().anyMatch(l -> l.startsWith("server-error")),
                    "Node emits no error when it can close the waiting connections: " + child.lines());

            for (SocketChannel c : clients) {
                c.close();
            }
            clients.clear();
            // Once the server's sockets have closed, a new client is served again.
            await().atMost(ChildJvm.WAIT).until(() -> {
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                    return exchange(c) == Outcome.ECHOED;
                }
            });
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
        }
    }

    @Test
    void a_client_out_of_descriptors_gets_connect_EMFILE_then_close_true_and_connects_once_they_are_free()
            throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(accepted::add).listen(0, "127.0.0.1");
        Server closedOne = Net.createServer().listen(0, "127.0.0.1");
        int closedPort = closedOne.address().port();
        AtomicBoolean closedDone = new AtomicBoolean();
        closedOne.close(e -> closedDone.set(true));
        await().atMost(ChildJvm.WAIT).untilTrue(closedDone);
        int port = server.address().port();
        try (ChildJvm child = ChildJvm.withOpenFileLimit(LIMIT, EmfileClientMain.class, String.valueOf(port),
                String.valueOf(closedPort))) {
            assertEquals(0, child.awaitExit(), child.lines()::toString);
            assertEquals("warm-up connected; close false / error ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:"
                    + closedPort + "); close true", child.awaitLine("warm-up "));
            String exhausted = child.awaitLine("exhausted ");
            assertTrue(exhausted.endsWith(": error EMFILE (connect EMFILE 127.0.0.1:" + port + "); close true"),
                    exhausted);
            assertEquals("freed: connected; close false", child.awaitLine("freed: "));
        } finally {
            accepted.forEach(Socket::destroy);
            await().atMost(ChildJvm.WAIT).until(() -> accepted.stream().allMatch(Socket::destroyed));
            AtomicBoolean done = new AtomicBoolean();
            server.close(e -> done.set(true));
            await().atMost(ChildJvm.WAIT).untilTrue(done);
        }
    }

    private enum Outcome { ECHOED, CLOSED }

    /**
     * Sends one byte and reads: the echo means the server accepted the connection; end of stream or a reset
     * means it closed it. A read that times out means the connection was left waiting: the failure this
     * test is about.
     */
    private static Outcome exchange(SocketChannel c) throws IOException {
        c.socket().setSoTimeout(10_000);
        try {
            c.write(ByteBuffer.wrap(new byte[] {42}));
            InputStream in = c.socket().getInputStream();
            int b = in.read();
            if (b == 42) {
                return Outcome.ECHOED;
            }
            assertEquals(-1, b);
            return Outcome.CLOSED;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a connection was left waiting: neither echoed nor closed in 10 s", e);
        } catch (IOException e) {
            return Outcome.CLOSED;                              // reset by the server (or EPIPE on the write)
        }
    }
}
