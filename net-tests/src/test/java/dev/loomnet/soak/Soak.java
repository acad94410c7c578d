package dev.loomnet.soak;

import static org.awaitility.Awaitility.await;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.spi.NetProvider;
import dev.loomnet.testing.ChildJvm;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The soak run: mixed load against one loomnet server for a set time (the first argument, an ISO-8601
 * duration, default {@code PT10M}; the {@code soak} Maven profile passes {@code -Dsoak.duration}), then a check
 * that nothing was lost and nothing leaked. {@value #WORKERS} client threads each run one connection after
 * another: echo through a {@code DATA} listener and through {@code pipe} (every byte checked by count and
 * SHA-256), half-close (the server answers the SHA-256 of what it read after the client's FIN), client
 * resets, and idle clients that the server's timeout ends. Meanwhile a child JVM client is killed with SIGKILL
 * in mid-transfer every few seconds, and the server is closed and listens again on the same port every
 * {@value #RELISTEN_SECONDS} s (connects that meet the gap are refused and retried).
 *
 * <p>It prints the connections by scenario, the bytes verified and lost, the errors by code (expected: the
 * resets and kills it causes, the refused connects of the re-listen gap; anything else is unexpected), and the
 * descriptors and threads before and after, and exits with 1 if a byte was lost, an unexpected error came, or
 * descriptors or threads did not return to where they were.
 */
public final class Soak {

    static final int WORKERS = 16;
    static final int RELISTEN_SECONDS = 15;
    private static final long KILL_PAUSE_MILLIS = 2_000;
    private static final Duration SETTLE = Duration.ofSeconds(120);

    private final Tally tally = new Tally();

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        Duration duration = Duration.parse(args.length > 0 ? args[0] : "PT10M");
        System.exit(new Soak().run(duration) ? 0 : 1);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private boolean run(Duration duration) throws Exception {
        warmUp();
        Snapshot before = Snapshot.now();
        SoakServer server = new SoakServer(tally);
        int port = server.listen(0);
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        System.out.printf("[soak] %s against one server on %s:%d, %d client workers%n", duration, SoakServer.HOST,
                port, WORKERS);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            long seed = i;
            threads.add(Thread.ofVirtual().name("soak-worker-" + i).start(() -> work(server, port, seed, deadline)));
        }
        threads.add(Thread.ofVirtual().name("soak-killer").start(() -> kill(server, port, deadline)));
        threads.add(Thread.ofVirtual().name("soak-relisten").start(() -> relisten(server, port, deadline)));
        while (System.nanoTime() < deadline) {
            sleepUntil(Math.min(deadline, System.nanoTime() + TimeUnit.MINUTES.toNanos(1)));
            System.out.printf("[soak] %s: %,d connections, %,d bytes verified, %,d lost, unexpected %s%n",
                    elapsed(start), tally.connections(), tally.verified(), tally.lost(), tally.unexpectedErrors());
        }
        for (Thread t : threads) {
            t.join();
        }
        CountDownLatch closed = new CountDownLatch(1);
        server.server().close(e -> closed.countDown());
        boolean drained = closed.await(SETTLE.toSeconds(), TimeUnit.SECONDS);
        Snapshot after = settle(before);
        return report(duration, port, server.relistens(), before, after, drained);
    }

    /** One of each scenario and one killed peer, so that what the JDK creates on first use is in the baseline. */
    private void warmUp() throws Exception {
        Tally ignored = new Tally();
        SoakServer server = new SoakServer(ignored);
        int port = server.listen(0);
        for (byte mode : MODES) {
            new SoakClient(server, port, mode, ignored, mode).run();
        }
        killOne(server, port, ignored);
        CountDownLatch closed = new CountDownLatch(1);
        server.server().close(e -> closed.countDown());
        closed.await(SETTLE.toSeconds(), TimeUnit.SECONDS);
        settle(null);
    }

    private static final byte[] MODES = {SoakServer.ECHO, SoakServer.PIPE, SoakServer.HALF_CLOSE, SoakServer.RESET,
        SoakServer.TIMEOUT};
    /** How often each scenario is picked, in percent, in the order of {@link #MODES}. */
    private static final int[] WEIGHTS = {35, 25, 20, 12, 8};

    private void work(SoakServer server, int port, long seed, long deadline) {
        SplittableRandom random = new SplittableRandom(seed);
        while (System.nanoTime() < deadline) {
            byte mode = pick(random.nextInt(100));
            try {
                for (int attempt = 0; attempt < 50
                        && !new SoakClient(server, port, mode, tally, random.nextLong()).run(); attempt++) {
                    Thread.sleep(10);                     // the server is between close and listen
                }
            } catch (Exception e) {
                tally.unexpected("client", e);
            }
        }
    }

    private static byte pick(int percent) {
        int sum = 0;
        for (int i = 0; i < MODES.length; i++) {
            sum += WEIGHTS[i];
            if (percent < sum) {
                return MODES[i];
            }
        }
        return MODES[0];
    }

    private void kill(SoakServer server, int port, long deadline) {
        while (System.nanoTime() < deadline) {
            try {
                killOne(server, port, tally);
                Thread.sleep(KILL_PAUSE_MILLIS);
            } catch (Exception e) {
                tally.unexpected("killer", e);
            }
        }
    }

    /** Starts a child JVM that streams to the server and kills it (SIGKILL) once it streams. */
    private static void killOne(SoakServer server, int port, Tally tally) throws Exception {
        int epoch = server.epoch();
        try (ChildJvm child = ChildJvm.onClassPath(SoakPeer.class, String.valueOf(port))) {
            await().atMost(ChildJvm.WAIT).until(() -> !child.isAlive()
                    || child.lines().stream().anyMatch(l -> l.equals("streaming") || l.startsWith("error ")));
            if (child.lines().contains("streaming")) {
                Thread.sleep(new SplittableRandom().nextInt(50, 500));
                tally.connection("killed peer");
            } else if (child.lines().contains("error " + NetException.ECONNREFUSED)
                    || child.lines().contains("error " + NetException.ECONNRESET) && server.relistenedSince(epoch)) {
                String code = child.lines().contains("error " + NetException.ECONNREFUSED)
                        ? NetException.ECONNREFUSED : NetException.ECONNRESET;
                tally.expected("peer", new NetException(code, "the server was listening again"));
            } else {
                tally.unexpected("peer", "child JVM: " + child.lines());
            }
        }                                                 // close(): destroyForcibly, i.e. SIGKILL
    }

    private void relisten(SoakServer server, int port, long deadline) {
        long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(RELISTEN_SECONDS);
        while (next < deadline - TimeUnit.SECONDS.toNanos(5)) {
            sleepUntil(next);
            server.relisten(port);
            next += TimeUnit.SECONDS.toNanos(RELISTEN_SECONDS);
        }
    }

    private static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            try {
                Thread.sleep(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String elapsed(long start) {
        long s = (System.nanoTime() - start) / 1_000_000_000L;
        return s / 60 + "m" + s % 60 + "s";
    }

    /** Descriptors, platform threads and loomnet handles at one moment. */
    private record Snapshot(long descriptors, int platformThreads, NetProvider.Handles handles) {
        static Snapshot now() throws IOException {
            long fds;
            try (Stream<Path> all = Files.list(Path.of("/proc/self/fd"))) {
                fds = all.count() - 1;                    // the listing's own descriptor
            }
            return new Snapshot(fds, ManagementFactory.getThreadMXBean().getThreadCount(), Net.provider().handles());
        }

        boolean backTo(Snapshot before) {
            return descriptors <= before.descriptors && platformThreads <= before.platformThreads
                    && handles.sockets() <= before.handles.sockets() && handles.servers() <= before.handles.servers()
                    && handles.threads() <= before.handles.threads();
        }
    }

    /** Waits (up to {@link #SETTLE}) until the process is back to {@code before}, or quiet if null. */
    private static Snapshot settle(Snapshot before) throws Exception {
        BooleanSupplier done = () -> {
            try {
                Snapshot now = Snapshot.now();
                return before == null ? now.handles().sockets() == 0 && now.handles().servers() == 0
                        : now.backTo(before);
            } catch (IOException e) {
                return false;
            }
        };
        long end = System.nanoTime() + SETTLE.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(500);
        }
        return Snapshot.now();
    }

    private boolean report(Duration duration, int port, int relistens, Snapshot before, Snapshot after,
                           boolean drained) {
        boolean leaked = !after.backTo(before);
        boolean ok = tally.lost() == 0 && !tally.anyUnexpected() && !leaked && drained;
        System.out.println();
        System.out.println("loomnet soak run: " + duration + " against one server on " + SoakServer.HOST + ":" + port
                + ", closed and listening again " + relistens + " times");
        System.out.printf("  connections     %,d (%s)%n", tally.connections(), counts(tally.byScenario()));
        System.out.printf("  bytes verified  %,d (count and SHA-256 per connection)%n", tally.verified());
        System.out.printf("  bytes lost      %,d%n", tally.lost());
        System.out.printf("  errors, expected    %s%n", counts(tally.expectedErrors()));
        System.out.printf("  errors, unexpected  %s%n", counts(tally.unexpectedErrors()));
        System.out.printf("  descriptors     before %d, after %d%n", before.descriptors(), after.descriptors());
        System.out.printf("  threads         platform before %d, after %d; loomnet before %d, after %d%n",
                before.platformThreads(), after.platformThreads(), before.handles().threads(),
                after.handles().threads());
        System.out.printf("  loomnet handles before %s, after %s%s%n", before.handles(), after.handles(),
                drained ? "" : " (the server's CLOSE never came)");
        System.out.println("  result          " + (ok ? "PASS" : "FAIL"));
        return ok;
    }

    private static String counts(Map<String, Long> counts) {
        return counts.isEmpty() ? "none" : counts.entrySet().stream()
                .map(e -> e.getKey() + " " + String.format("%,d", e.getValue())).collect(Collectors.joining(", "));
    }
}
