package dev.loomnet.testing;

import dev.loomnet.net.Net;
import dev.loomnet.net.spi.NetProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit Jupiter extension that fails a test which leaves anything of loomnet behind. After each test it
 * checks that:
 * <ul>
 *   <li>no loomnet socket is still open, no server still listening and no loomnet thread still alive, beyond
 *       what was open before the test ({@link NetProvider#handles()});</li>
 *   <li>the process holds no more socket descriptors than before the test (raw JDK channels and peers opened
 *       by the test included; Linux only, where {@code /proc/self/fd} exists);</li>
 *   <li>no exception reached the default uncaught exception handler during the test, unless the test took it
 *       from {@link UncaughtExceptions}. An {@code ERROR} that no listener heard goes there, as Node crashes.</li>
 * </ul>
 * Closing is asynchronous (a socket is closed at its {@code CLOSE} event), so the check waits for the counts to
 * come back to their baseline, up to {@link #DEFAULT_SETTLE} or the duration set by the configuration parameter
 * {@value #SETTLE_PARAMETER}, before it fails the test. The baseline is taken before each test, so a test that
 * leaked fails alone instead of every test after it.
 *
 * <pre>{@code
 * @ExtendWith(LoomnetExtension.class)
 * class EchoTest {
 *     @Test
 *     void echoes() { ... }
 * }
 * }</pre>
 *
 * <p>Configuration parameters ({@code junit-platform.properties} or {@code -D} system properties):
 * {@value #SETTLE_PARAMETER}, an ISO-8601 duration such as {@code PT2S}; and {@value #DESCRIPTORS_PARAMETER}
 * ({@code true} by default), {@code false} to leave out the descriptor count, for tests that open sockets of
 * their own in the background (a connection pool, say).
 *
 * <p>The counts are the process's, so tests run under this extension must not run in parallel in one JVM
 * (JUnit's default is sequential). The extension replaces the default uncaught exception handler during each
 * test and restores it afterwards; it also makes Awaitility leave uncaught exceptions alone
 * ({@link Awaitility#doNotCatchUncaughtExceptionsByDefault()}), so that they reach this check instead of
 * failing whichever {@code await()} happens to be running.
 */
public final class LoomnetExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    /** How long the check waits for the counts to settle when {@value #SETTLE_PARAMETER} is not set: 10 s. */
    public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(10);

    /** Configuration parameter: how long to wait for closes to settle, an ISO-8601 duration ({@code PT10S}). */
    public static final String SETTLE_PARAMETER = "loomnet.testing.settle";

    /** Configuration parameter: {@code false} leaves out the socket descriptor count ({@code true} by default). */
    public static final String DESCRIPTORS_PARAMETER = "loomnet.testing.descriptors";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LoomnetExtension.class);

    static {
        // The JDK keeps one socket descriptor for its whole life (the "pre-close" socket used to close channels
        // that a thread is blocked on), created when the first socket channel is used. Create it now so that it
        // is part of every test's baseline.
        // Uncaught exceptions are this extension's business (tests take expected ones from UncaughtExceptions);
        // Awaitility would otherwise rethrow them from whatever await() happens to be running.
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
        try {
            java.nio.channels.SocketChannel.open().close();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Creates the extension; JUnit does, for {@code @ExtendWith(LoomnetExtension.class)}. */
    public LoomnetExtension() {
    }

    private record State(UncaughtExceptions uncaught, Thread.@Nullable UncaughtExceptionHandler previous,
                         long socketFds, NetProvider.Handles handles, Duration settle, boolean descriptors) {
    }

    /**
     * Takes the baseline (open handles, threads, socket descriptors) and starts collecting uncaught exceptions.
     *
     * @param context the test's context
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        Duration settle = context.getConfigurationParameter(SETTLE_PARAMETER)
                .map(LoomnetExtension::duration).orElse(DEFAULT_SETTLE);
        boolean descriptors = context.getConfigurationParameter(DESCRIPTORS_PARAMETER)
                .map(Boolean::parseBoolean).orElse(true);
        UncaughtExceptions uncaught = new UncaughtExceptions();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler(uncaught::add);
        context.getStore(NS).put(State.class, new State(uncaught, previous, descriptors ? socketFds() : -1,
                Net.provider().handles(), settle, descriptors));
    }

    /**
     * Waits for the counts to come back to the baseline and fails the test with an {@link AssertionError} that
     * says what was left behind, or with the first uncaught exception (the others suppressed in it).
     *
     * @param context the test's context
     */
    @Override
    public void afterEach(ExtensionContext context) {
        State state = context.getStore(NS).remove(State.class, State.class);
        if (state == null) {
            return;
        }
        try {
            String leak = settle(state);
            List<UncaughtExceptions.Uncaught> uncaught = state.uncaught().drain();
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

    private static Duration duration(String value) {
        try {
            Duration d = Duration.parse(value.trim());
            if (d.isNegative()) {
                throw new ExtensionConfigurationException(SETTLE_PARAMETER + " must not be negative: " + value);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new ExtensionConfigurationException(
                    SETTLE_PARAMETER + " must be an ISO-8601 duration such as PT10S: " + value, e);
        }
    }

    /** Waits for handles, threads and descriptors to settle; returns a description of what leaked, or null. */
    private static @Nullable String settle(State before) {
        try {
            Awaitility.await().atMost(before.settle())
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> problem(before) == null);
            return null;
        } catch (ConditionTimeoutException e) {
            String problem = problem(before);
            return problem == null ? null : "leak after " + before.settle().toMillis() + " ms: " + problem;
        }
    }

    private static @Nullable String problem(State before) {
        NetProvider.Handles h = Net.provider().handles();
        NetProvider.Handles b = before.handles();
        if (h.sockets() > b.sockets() || h.servers() > b.servers() || h.threads() > b.threads()) {
            List<String> left = new ArrayList<>();
            more(left, h.sockets() - b.sockets(), "socket(s) open");
            more(left, h.servers() - b.servers(), "server(s) listening");
            more(left, h.threads() - b.threads(), "loomnet thread(s) alive");
            return String.join(", ", left) + " more than before the test (now " + h + ", before " + b + ")";
        }
        if (before.descriptors()) {
            long fds = socketFds();
            if (fds > before.socketFds()) {
                return (fds - before.socketFds()) + " socket descriptor(s) more than before the test";
            }
        }
        return null;
    }

    private static void more(List<String> left, int count, String what) {
        if (count > 0) {
            left.add(count + " " + what);
        }
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

    /**
     * Supports a test method parameter of type {@link UncaughtExceptions}.
     *
     * @param parameterContext  the parameter
     * @param extensionContext  the test's context
     * @return whether the parameter is an {@link UncaughtExceptions}
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == UncaughtExceptions.class;
    }

    /**
     * Returns the uncaught exceptions of the running test.
     *
     * @param parameterContext  the parameter
     * @param extensionContext  the test's context
     * @return the test's {@link UncaughtExceptions}
     * @throws IllegalStateException outside a test method (in a constructor or a {@code @BeforeAll} method)
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        State state = extensionContext.getStore(NS).get(State.class, State.class);
        if (state == null) {
            throw new IllegalStateException("UncaughtExceptions is only available in test methods");
        }
        return state.uncaught();
    }
}
