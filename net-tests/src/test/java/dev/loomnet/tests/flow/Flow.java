package dev.loomnet.tests.flow;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.ConnectionListener;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Small helpers shared by the flow tests: fast polling waits and capture of accepted sockets. */
final class Flow {

    static final String HOST = "127.0.0.1";
    /** Node 22's default high-water mark, loomnet's default too. */
    static final int DEFAULT_HWM = 64 * 1024;

    private Flow() {
    }

    /** Awaitility with a 30 s ceiling and 2 ms polling (the default 100 ms polling would dominate run time). */
    static ConditionFactory waitFor() {
        return Awaitility.await().atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    /** A condition that must hold without a break for {@code millis} (to show that something does not happen). */
    static ConditionFactory holdsFor(long millis) {
        return Awaitility.await().during(Duration.ofMillis(millis)).atMost(Duration.ofMillis(millis).plusSeconds(30))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    /**
     * Connects {@code socket} to {@code port} on 127.0.0.1 through a lookup that answers only once {@code release}
     * is counted down, so the socket stays connecting (as in Node's tick) for as long as the test needs.
     */
    static Socket connectHeld(Socket socket, int port, CountDownLatch release) {
        return socket.connect(ConnectOptions.builder().host("held.test").port(port).lookup((host, family) -> {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the lookup");
            }
            return List.of(new Lookup.Address(HOST, 4));
        }).build());
    }

    static int port(Server server) {
        return server.address().port();
    }

    /**
     * Holds {@code socket}'s events until the returned latch is counted down: a {@code TIMEOUT} listener blocks
     * (listeners may), so the event of the next read waits behind it while the read itself happens. The timeout
     * fires after 20 ms of quiet, when the connection's thread sits in its read, so a thread of the event queue
     * runs the listener rather than the connection's own thread (which would then not read). Returns once the
     * listener blocks; the timeout is cleared.
     */
    static CountDownLatch holdEvents(Socket socket) throws InterruptedException {
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        socket.setTimeout(Duration.ofMillis(20), () -> {
            blocking.countDown();
            gate.await();
        });
        if (!blocking.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the timeout never fired");
        }
        socket.setTimeout(Duration.ZERO);
        return gate;
    }

    /**
     * Connects {@code client} to {@code server}, waits for its {@code CLOSE} ({@code closes} reaching 1), checks
     * what it {@code read} against {@code expected}, then connects the same socket again and waits for the second
     * {@code CLOSE}; the socket is destroyed and the server closed either way. For the reconnect tests.
     */
    static void connectTwice(Socket client, Server server, java.util.concurrent.atomic.AtomicInteger closes,
                             java.util.function.Supplier<String> read, String expected) {
        client.connect(port(server), HOST);
        waitFor().until(() -> closes.get() == 1);
        org.junit.jupiter.api.Assertions.assertEquals(expected, read.get(), "the first connection");
        client.connect(port(server), HOST);
        try {
            waitFor().until(() -> closes.get() == 2);
        } finally {
            client.destroy();
            server.close();
        }
    }

    /** Deterministic pseudo-random bytes. */
    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * A connection listener that runs {@code setup} on each accepted socket (on its connection thread, before
     * any of its events) and hands the socket to the test through {@link #next()}.
     */
    static final class Accepted implements ConnectionListener {
        private final BlockingQueue<Socket> sockets = new LinkedBlockingQueue<>();
        private final ConnectionListener setup;

        Accepted() {
            this(s -> { });
        }

        Accepted(ConnectionListener setup) {
            this.setup = setup;
        }

        @Override
        public void onConnection(Socket socket) throws Exception {
            setup.onConnection(socket);
            sockets.add(socket);
        }

        /** The next accepted socket; fails after 30 s. */
        Socket next() throws InterruptedException {
            Socket s = sockets.poll(30, TimeUnit.SECONDS);
            if (s == null) {
                throw new AssertionError("no connection accepted within 30 s");
            }
            return s;
        }
    }
}
