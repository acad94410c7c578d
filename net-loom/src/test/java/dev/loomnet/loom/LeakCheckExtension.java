package dev.loomnet.loom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The leak check of net-loom's white-box tests: net-tests' {@code dev.loomnet.testing.LoomnetExtension} reduced to
 * what these tests need, reading the package-private counters ({@link Stats}, {@link Threads}) directly. Registered
 * for every test class of net-loom by service loading ({@code META-INF/services} and
 * {@code junit-platform.properties}); it fails a test when, after it:
 * <ul>
 *   <li>a loomnet socket is still open, a server still listening or a loomnet thread still alive,</li>
 *   <li>the process holds more socket descriptors than before the test (raw channels opened by the test
 *       included), or</li>
 *   <li>an exception reached the default uncaught exception handler.</li>
 * </ul>
 * Closing is asynchronous ({@code close} events), so the checks wait up to {@value #SETTLE_SECONDS} s for the
 * counts to settle before failing. Unlike net-tests' extension it offers no way to take an expected uncaught
 * exception: no white-box test expects one.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterEachCallback {

    static final int SETTLE_SECONDS = 10;

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheckExtension.class);

    /** Set by {@link #beforeEach} for the test running on this thread, so that a test can see it is checked. */
    private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> false);

    static {
        // The JDK keeps one socket descriptor for its whole life (the "pre-close" socket used to close channels
        // that a thread is blocked on), created when the first socket channel is used: create it now so that it
        // is part of every test's baseline. Uncaught exceptions are this extension's business; Awaitility would
        // otherwise rethrow them from whatever await() happens to be running.
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
        try {
            java.nio.channels.SocketChannel.open().close();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One uncaught exception and the thread it happened on. */
    private record Uncaught(String threadName, Throwable error) {
    }

    private record State(ConcurrentLinkedQueue<Uncaught> uncaught, Thread.@Nullable UncaughtExceptionHandler previous,
                         long socketFds, int sockets, int servers, int threads) {
    }

    /** Whether the current test runs under this extension (for the test that checks the registration). */
    static boolean active() {
        return ACTIVE.get();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ConcurrentLinkedQueue<Uncaught> uncaught = new ConcurrentLinkedQueue<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(new Uncaught(t.getName(), e)));
        // Baselines, so that a test that leaked fails alone instead of every test after it.
        context.getStore(NS).put(State.class, new State(uncaught, previous, socketFds(), Stats.SOCKETS.get(),
                Stats.SERVERS.get(), Threads.live()));
        ACTIVE.set(true);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ACTIVE.remove();
        State state = context.getStore(NS).remove(State.class, State.class);
        if (state == null) {
            return;
        }
        try {
            String leak = settle(state);
            List<Uncaught> uncaught = new ArrayList<>(state.uncaught());
            if (!uncaught.isEmpty()) {
                AssertionError failure = new AssertionError(uncaught.size() + " uncaught exception(s), first on thread "
                        + uncaught.get(0).threadName(), uncaught.get(0).error());
                uncaught.stream().skip(1).forEach(u -> failure.addSuppressed(u.error()));
                throw failure;
            }
            if (leak != null) {
                throw new AssertionError(leak);
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(state.previous());
        }
    }

    /** Waits for handles, threads and descriptors to settle; returns a description of what leaked, or null. */
    private static @Nullable String settle(State before) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(SETTLE_SECONDS))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> problem(before) == null);
            return null;
        } catch (ConditionTimeoutException e) {
            String problem = problem(before);
            return problem == null ? null : "leak after " + SETTLE_SECONDS + " s: " + problem;
        }
    }

    private static @Nullable String problem(State before) {
        int sockets = Stats.SOCKETS.get();
        int servers = Stats.SERVERS.get();
        int threads = Threads.live();
        if (sockets > before.sockets() || servers > before.servers() || threads > before.threads()) {
            return "open loomnet handles: sockets=" + sockets + ", servers=" + servers + ", threads=" + threads
                    + "; before the test sockets=" + before.sockets() + ", servers=" + before.servers()
                    + ", threads=" + before.threads();
        }
        long fds = socketFds();
        if (fds > before.socketFds()) {
            return (fds - before.socketFds()) + " socket descriptor(s) more than before the test";
        }
        return null;
    }

    /** Socket descriptors this process holds (Linux {@code /proc/self/fd}); -1 where that is not available. */
    static long socketFds() {
        Path dir = Path.of("/proc/self/fd");
        if (!Files.isDirectory(dir)) {
            return -1;
        }
        try (Stream<Path> fds = Files.list(dir)) {
            return fds.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().startsWith("socket:");
                } catch (IOException | UnsupportedOperationException e) {
                    return false;                      // closed while listing
                }
            }).count();
        } catch (IOException e) {
            return -1;
        }
    }
}
