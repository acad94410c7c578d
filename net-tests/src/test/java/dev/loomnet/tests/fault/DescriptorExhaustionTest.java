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
import java.time.Duration;
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
    /** How long the table is held full while the accept loop's CPU time is measured. */
    private static final Duration HELD = Duration.ofSeconds(3);
    /** The names of the carrier threads of virtual threads, as {@code /proc} shows them. */
    private static final String CARRIERS = "ForkJoinPool-1-";

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

    /**
     * With every descriptor taken, Linux's {@code accept} fails with {@code EMFILE} before it looks at the
     * backlog, so a blocking accept never waits: the loop must pause between attempts instead of retrying at
     * once. The CPU time of the child's virtual-thread carriers (the accept loop is the only thing running
     * there) over {@link #HELD} with the table full must stay far below that period, the connections that come
     * meanwhile are closed, one warning says so, and the server serves again once descriptors are free.
     */
    @Test
    void a_server_out_of_descriptors_does_not_spin_warns_once_and_serves_again_once_they_are_free()
            throws Exception {
        List<SocketChannel> shed = new ArrayList<>();
        try (ChildJvm child = ChildJvm.withOpenFileLimit(LIMIT, EmfileHogServerMain.class)) {
            int port = Integer.parseInt(child.awaitLine("port ").substring(5));
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                assertEquals(Outcome.ECHOED, exchange(c));      // loads a connection's classes while it can
            }
            child.awaitLine("closed");                          // its descriptor is free before the hog takes all
            child.send("hog");
            child.awaitLine("hogged ");
            long cpuBefore = child.cpuMillis(CARRIERS);
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                shed.add(c);
                assertEquals(Outcome.CLOSED, exchange(c, child), child.lines()::toString);
            }
            await().during(HELD).atMost(HELD.plus(ChildJvm.WAIT)).until(child::isAlive);
            long cpu = child.cpuMillis(CARRIERS) - cpuBefore;
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            assertTrue(cpu * 10 < elapsed, "the accept loop used " + cpu + " ms of CPU in " + elapsed
                    + " ms without a free descriptor");

            child.send("free");
            child.awaitLine("freed");
            await().atMost(ChildJvm.WAIT).until(() -> {
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                    return exchange(c) == Outcome.ECHOED;
                }
            });
            List<String> warnings = child.lines().stream().filter(l -> l.startsWith("WARNING:")).toList();
            assertEquals(1, warnings.size(), child.lines()::toString);
            assertTrue(warnings.get(0).contains("EMFILE") && warnings.get(0).contains("127.0.0.1:" + port),
                    warnings::toString);
            assertFalse(child.lines().stream().anyMatch(l -> l.startsWith("server-error")), child.lines()::toString);
        } finally {
            for (SocketChannel c : shed) {
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

    /** {@link #exchange(SocketChannel)}, failing with the child's output if the connection was left waiting. */
    private static Outcome exchange(SocketChannel c, ChildJvm child) throws IOException {
        try {
            return exchange(c);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; child output " + child.lines(), e);
        }
    }

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
