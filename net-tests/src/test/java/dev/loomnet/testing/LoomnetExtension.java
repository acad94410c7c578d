package dev.loomnet.testing;

import dev.loomnet.net.Net;
import dev.loomnet.net.spi.NetProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs around every test of every test class (registered by service loading, see
 * {@code junit-platform.properties}) and fails the test when, after it:
 * <ul>
 *   <li>a loomnet socket is still open or a server still listening ({@link NetProvider#handles()}),</li>
 *   <li>a loomnet thread is still alive,</li>
 *   <li>the process holds more socket descriptors than before the test (raw peers opened by the test
 *       included), or</li>
 *   <li>an exception reached an uncaught exception handler and the test did not take it from
 *       {@link UncaughtExceptions}.</li>
 * </ul>
 * Closing is asynchronous ({@code close} events), so the checks wait up to {@value #SETTLE_SECONDS} s for the
 * counts to settle before failing.
 */
public final class LoomnetExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    static final int SETTLE_SECONDS = 10;

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

    private record State(UncaughtExceptions uncaught, Thread.UncaughtExceptionHandler previous, long socketFds,
                         NetProvider.Handles handles) {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        UncaughtExceptions uncaught = new UncaughtExceptions();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler(uncaught::add);
        // Baselines, so that a test that leaked fails alone instead of every test after it.
        context.getStore(NS).put(State.class, new State(uncaught, previous, socketFds(), Net.provider().handles()));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        State state = context.getStore(NS).remove(State.class, State.class);
        if (state == null) {
            return;
        }
        try {
            String leak = settle(state.socketFds(), state.handles());
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

    /** Waits for handles, threads and descriptors to settle; returns a description of what leaked, or null. */
    private static String settle(long fdBaseline, NetProvider.Handles before) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(SETTLE_SECONDS))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> problem(fdBaseline, before) == null);
            return null;
        } catch (ConditionTimeoutException e) {
            String problem = problem(fdBaseline, before);
            return problem == null ? null : "leak after " + SETTLE_SECONDS + " s: " + problem;
        }
    }

    private static String problem(long fdBaseline, NetProvider.Handles before) {
        NetProvider.Handles h = Net.provider().handles();
        if (h.sockets() > before.sockets() || h.servers() > before.servers() || h.threads() > before.threads()) {
            return "open loomnet handles " + h + ", before the test " + before;
        }
        long fds = socketFds();
        if (fds > fdBaseline) {
            return (fds - fdBaseline) + " socket descriptor(s) more than before the test";
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

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == UncaughtExceptions.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        State state = extensionContext.getStore(NS).get(State.class, State.class);
        if (state == null) {
            throw new IllegalStateException("UncaughtExceptions is only available in test methods");
        }
        return state.uncaught();
    }
}
