package dev.loomnet.loom;

import dev.loomnet.net.ErrorListener;
import java.lang.ref.Cleaner;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * An {@code ERROR} emitted with no listener by an emitter that keeps its events for late listeners
 * ({@link Emitter#emitLifecycle}): it replays the error to whichever listener comes, and reports it to the
 * uncaught exception handler, exactly once, if none ever does. "Ever" ends when nobody can add a listener
 * that would receive it any more: the emitter starts a new connection ({@link #report()}), becomes unreachable
 * (a {@link Cleaner}), or the JVM shuts down (a shutdown hook). The state is one atomic: {@code UNHEARD} goes
 * to {@code HEARD} or {@code REPORTED}, never both.
 */
final class UnheardError implements Invoker<ErrorListener> {

    private static final int UNHEARD = 0;
    private static final int HEARD = 1;
    private static final int REPORTED = 2;

    /** The errors still unheard, for the shutdown hook. */
    private static final Set<UnheardError> PENDING = ConcurrentHashMap.newKeySet();
    private static final ReentrantLock CLEANER_LOCK = new ReentrantLock();
    /** Created with the first unheard error: most programs never need its thread. */
    private static volatile @Nullable Cleaner cleaner;

    private final AtomicInteger state = new AtomicInteger(UNHEARD);
    private final Throwable error;
    private volatile Cleaner.@Nullable Cleanable cleanable;

    UnheardError(Throwable error) {
        this.error = error;
    }

    /** The replay to a late listener: the error is heard. */
    @Override
    public void invoke(ErrorListener listener) throws Exception {
        if (state.compareAndSet(UNHEARD, HEARD)) {
            forget();
        }
        listener.onError(error);
    }

    /** Starts waiting for a listener: reports the error if {@code emitter} is collected first. */
    void track(Object emitter) {
        PENDING.add(this);
        cleanable = cleaner().register(emitter, this::reportFromCleaner);
        if (state.get() != UNHEARD) {
            forget();                                   // heard before it was tracked
        }
    }

    /** Reports the error now if no listener received it (its emitter starts a new connection). */
    void report() {
        if (state.compareAndSet(UNHEARD, REPORTED)) {
            forget();
            Threads.startVirtual("unheard-error", () -> Threads.uncaught(error));
        }
    }

    private void reportFromCleaner() {
        if (state.compareAndSet(UNHEARD, REPORTED)) {
            PENDING.remove(this);
            Threads.uncaught(error);
        }
    }

    private void forget() {
        PENDING.remove(this);
        Cleaner.Cleanable c = cleanable;
        if (c != null) {
            c.clean();                                  // runs reportFromCleaner, which finds it heard
        }
    }

    private static Cleaner cleaner() {
        Cleaner c = cleaner;
        if (c == null) {
            c = createCleaner();
        }
        return c;
    }

    private static Cleaner createCleaner() {
        CLEANER_LOCK.lock();
        try {
            Cleaner c = cleaner;
            if (c == null) {
                // A platform thread: the cleaner waits in ReferenceQueue.remove, which pins a virtual thread's
                // carrier on Java 21. Daemon and not counted among loomnet's threads: it lives as long as the JVM.
                c = Cleaner.create(Thread.ofPlatform().name(Threads.PREFIX + "unheard-errors").daemon(true)
                        .factory());
                Runtime.getRuntime().addShutdownHook(
                        Thread.ofPlatform().name(Threads.PREFIX + "unheard-errors-at-exit").unstarted(
                                UnheardError::reportAllAtExit));
                cleaner = c;
            }
            return c;
        } finally {
            CLEANER_LOCK.unlock();
        }
    }

    private static void reportAllAtExit() {
        for (UnheardError e : PENDING) {
            e.reportFromCleaner();
        }
    }
}
