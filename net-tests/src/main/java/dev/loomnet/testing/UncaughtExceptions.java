package dev.loomnet.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * The uncaught exceptions seen during one test. {@link LoomnetExtension} fails a test that leaves any here; a
 * test that expects one (an {@code ERROR} with no listener goes to the uncaught exception handler) declares
 * this as a parameter of the test method and takes it with {@link #awaitOne(Predicate)}:
 * <pre>{@code
 * @Test
 * void unheard_error_is_uncaught(UncaughtExceptions uncaught) {
 *     Net.connect(closedPort, "127.0.0.1");          // no ERROR listener
 *     uncaught.awaitOne(e -> e instanceof NetException ne && ne.code().equals("ECONNREFUSED"));
 * }
 * }</pre>
 */
public final class UncaughtExceptions {

    /**
     * One uncaught exception and the thread it happened on.
     *
     * @param threadName the name of the thread whose uncaught exception handler received it
     * @param error      the exception
     */
    public record Uncaught(String threadName, Throwable error) {
    }

    private final ConcurrentLinkedQueue<Uncaught> seen = new ConcurrentLinkedQueue<>();

    UncaughtExceptions() {
    }

    void add(Thread thread, Throwable error) {
        seen.add(new Uncaught(thread.getName(), error));
    }

    /**
     * Waits (up to 10 s) for an uncaught exception matching {@code filter} and removes it.
     *
     * @param filter which exception is expected
     * @return the matching record
     * @throws org.awaitility.core.ConditionTimeoutException when none came within 10 s
     */
    public Uncaught awaitOne(Predicate<Throwable> filter) {
        Uncaught[] found = new Uncaught[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (Uncaught u : seen) {
                if (filter.test(u.error()) && seen.remove(u)) {
                    found[0] = u;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /**
     * Removes and returns, without waiting, the exceptions seen so far that match {@code filter} (for a test that
     * knows an exception may or may not go uncaught, depending on a race it provokes on purpose).
     *
     * @param filter which exceptions to take
     * @return the matching records, in the order they were seen
     */
    public List<Uncaught> takeAll(Predicate<Throwable> filter) {
        List<Uncaught> out = new ArrayList<>();
        for (Uncaught u : seen) {
            if (filter.test(u.error()) && seen.remove(u)) {
                out.add(u);
            }
        }
        return out;
    }

    /**
     * Removes and returns everything seen so far.
     *
     * @return the records, in the order they were seen
     */
    List<Uncaught> drain() {
        List<Uncaught> out = new ArrayList<>();
        Uncaught u;
        while ((u = seen.poll()) != null) {
            out.add(u);
        }
        return out;
    }
}
