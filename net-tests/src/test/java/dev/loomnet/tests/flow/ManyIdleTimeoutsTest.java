package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.HOST;
import static dev.loomnet.tests.flow.Flow.port;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 3 acceptance: 10,000 idle sockets with timeouts (5,000 loopback connections, both ends with
 * {@code setTimeout}) cost one connection virtual thread each, blocked in its read, and no thread per timer:
 * the platform thread count does not grow with them, and one {@code loomnet-timer} thread serves them all.
 * The process may hold 20,000 descriptors, so 10,000 sockets leave room for the rest of the suite.
 */
class ManyIdleTimeoutsTest {

    static final int PAIRS = 5_000;
    static final int CONCURRENT_CONNECTS = 100;
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** Platform threads the JVM may add on its own meanwhile (carrier, poller, JIT, GC helper threads). */
    static final int PLATFORM_SLACK = 16;
    /** loomnet threads besides one per connection (accept loop, timer, short-lived writers and event drainers). */
    static final int LOOMNET_SLACK = 16;

    @Test
    void ten_thousand_idle_sockets_with_timeouts_cost_one_virtual_thread_each_and_no_thread_per_timer()
            throws Exception {
        // Both ends of 5,000 connections live in this process: it needs 10,000 descriptors and some room.
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            assumeTrue(os.getMaxFileDescriptorCount() >= 2L * PAIRS + 1_000,
                    "needs ulimit -n >= " + (2 * PAIRS + 1_000) + ", have " + os.getMaxFileDescriptorCount());
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int platformBefore = threads.getThreadCount();
        int loomnetBefore = Net.provider().handles().threads();
        int socketsBefore = Net.provider().handles().sockets();

        Queue<Socket> accepted = new ConcurrentLinkedQueue<>();
        Server server = Net.createServer(s -> accepted.add(s.setTimeout(IDLE_TIMEOUT).resume())).listen(0, HOST);
        Semaphore connecting = new Semaphore(CONCURRENT_CONNECTS);
        AtomicInteger connected = new AtomicInteger();
        AtomicInteger timeouts = new AtomicInteger();
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Socket> clients = new ArrayList<>(PAIRS);
        long start = System.nanoTime();
        for (int i = 0; i < PAIRS; i++) {
            assertTrue(connecting.tryAcquire(30, TimeUnit.SECONDS), "connect " + i + " did not start within 30 s");
            Socket client = Net.socket().setTimeout(IDLE_TIMEOUT)
                    .on(Socket.CONNECT, () -> {
                        connected.incrementAndGet();
                        connecting.release();
                    })
                    .on(Socket.ERROR, e -> {
                        errors.add(e);
                        connecting.release();
                    })
                    .on(Socket.TIMEOUT, timeouts::incrementAndGet)
                    .resume();                                   // idle, but blocked in a read as a real client
            clients.add(client.connect(port(server), HOST));
        }
        waitFor().until(() -> connected.get() + errors.size() == PAIRS && accepted.size() + errors.size() >= PAIRS);
        long opened = System.nanoTime() - start;

        int platformDuring = threads.getThreadCount();
        int loomnetDuring = Net.provider().handles().threads();
        int socketsDuring = Net.provider().handles().sockets();
        long timerThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("loomnet-timer")).count();

        clients.forEach(Socket::destroy);
        accepted.forEach(Socket::destroy);
        waitFor().until(() -> Net.provider().handles().sockets() == socketsBefore);
        server.close();

        System.out.printf("[flow] %d idle sockets with timeouts: opened in %d ms; platform threads %d -> %d;"
                        + " loomnet threads %d -> %d; timer threads %d%n", 2 * PAIRS, opened / 1_000_000,
                platformBefore, platformDuring, loomnetBefore, loomnetDuring, timerThreads);
        assertEquals(List.of(), List.copyOf(errors));
        assertEquals(0, timeouts.get());
        assertEquals(2 * PAIRS, socketsDuring - socketsBefore);
        assertEquals(1, timerThreads, "one timer thread serves every socket");
        assertTrue(platformDuring - platformBefore <= PLATFORM_SLACK,
                "platform threads grew from " + platformBefore + " to " + platformDuring);
        assertTrue(loomnetDuring - loomnetBefore <= 2 * PAIRS + LOOMNET_SLACK,
                "loomnet threads grew from " + loomnetBefore + " to " + loomnetDuring);
    }
}
