package dev.loomnet.net;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Node's {@code AbortSignal}: says once, from any thread, that an operation should stop. Pass it as the
 * {@code signal} option of {@link ListenOptions} (aborting closes the server) or of {@link SocketOptions} and
 * {@link ConnectOptions} (aborting destroys the socket with {@code ABORT_ERR}); make one with
 * {@link AbortController} or, already aborted, with {@link #abort()}. Thread-safe.
 */
public final class AbortSignal {

    /** A way to stop listening to a signal: Node's disposable from {@code events.addAbortListener}. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        /** Removes the listener; nothing happens if it has run or was removed already. */
        @Override
        void close();
    }

    private final AtomicReference<@Nullable Object> reason = new AtomicReference<>();
    /** Registrations in order; a removed one stays until the next sweep, so that removing is O(1). */
    private final ConcurrentLinkedQueue<Entry> listeners = new ConcurrentLinkedQueue<>();
    /** Registrations removed and not swept yet, and the live ones: a sweep runs once half are removed. */
    private final AtomicInteger removed = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();

    /** One listener: runs at most once, unless removed first (the two race through one CAS). */
    private static final class Entry extends AtomicBoolean {
        private static final long serialVersionUID = 1L;
        private final transient Runnable listener;

        Entry(Runnable listener) {
            this.listener = listener;
        }

        /** Claims the entry, to run it or to remove it; false if the other happened already. */
        boolean claim() {
            return compareAndSet(false, true);
        }
    }

    AbortSignal() {
    }

    /**
     * Returns a signal that is already aborted, with {@code ABORT_ERR} "This operation was aborted" as its reason
     * ({@code AbortSignal.abort()}).
     *
     * @return an aborted signal
     */
    public static AbortSignal abort() {
        return abort(defaultReason());
    }

    /**
     * Returns a signal that is already aborted with {@code reason} ({@code AbortSignal.abort(reason)}).
     *
     * @param reason why, not {@code null}
     * @return an aborted signal
     */
    public static AbortSignal abort(Object reason) {
        AbortSignal signal = new AbortSignal();
        signal.fire(Args.notNull(reason, "reason"));
        return signal;
    }

    /**
     * Returns a signal that aborts once {@code delay} has passed, with {@code TIMEOUT_ERR} "The operation was
     * aborted due to timeout" as its reason ({@code AbortSignal.timeout(delay)}). Its timer runs on a JDK daemon
     * thread, so, as in Node, it does not keep the JVM alive.
     *
     * @param delay how long until it aborts, not negative
     * @return a signal that aborts after {@code delay}
     */
    public static AbortSignal timeout(Duration delay) {
        long nanos = Args.nonNegative(delay, "delay").toNanos();
        AbortSignal signal = new AbortSignal();
        CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS).execute(() -> signal.fire(
                new NetException(NetException.TIMEOUT_ERR, "The operation was aborted due to timeout")));
        return signal;
    }

    /**
     * Returns a signal that aborts as soon as one of {@code signals} does, with that one's reason; aborted at
     * once if one is aborted already ({@code AbortSignal.any(signals)}). It stays registered with the others
     * until it aborts.
     *
     * @param signals the signals to follow, none {@code null}
     * @return the combined signal
     */
    public static AbortSignal any(AbortSignal... signals) {
        Args.notNull(signals, "signals");
        for (AbortSignal s : signals) {
            Args.notNull(s, "signals");
        }
        AbortSignal any = new AbortSignal();
        List<Registration> registrations = new CopyOnWriteArrayList<>();
        any.onAbort(() -> registrations.forEach(Registration::close));
        for (AbortSignal s : signals) {
            // an aborted one fires at once, and the listener above lets go of those registered before it
            registrations.add(s.onAbort(() -> any.fire(Objects.requireNonNull(s.reason()))));
            if (any.aborted()) {
                break;
            }
        }
        return any;
    }

    /**
     * Returns whether the signal has been aborted.
     *
     * @return {@code true} once aborted
     */
    public boolean aborted() {
        return reason.get() != null;
    }

    /**
     * Returns why the signal was aborted, or {@code null} while it is not.
     *
     * @return the reason or {@code null}
     */
    public @Nullable Object reason() {
        return reason.get();
    }

    /**
     * Throws the reason if the signal has been aborted: as is when it is a {@link RuntimeException}, otherwise
     * wrapped in an {@code ABORT_ERR} {@link NetException} ({@code signal.throwIfAborted()}).
     */
    public void throwIfAborted() {
        Object why = reason.get();
        if (why instanceof RuntimeException e) {
            throw e;
        }
        if (why != null) {
            throw abortError(why);
        }
    }

    /**
     * Runs {@code listener} once when the signal is aborted, on the aborting thread, or at once on this thread if
     * it is aborted already (Node's {@code events.addAbortListener}). A listener that throws does not keep the
     * others from running: its exception goes to the aborting thread's uncaught exception handler.
     *
     * @param listener what to run
     * @return the registration that removes the listener
     */
    public Registration onAbort(Runnable listener) {
        Args.notNull(listener, "listener");
        if (aborted()) {
            listener.run();
            return () -> { };
        }
        Entry entry = new Entry(listener);
        live.incrementAndGet();
        listeners.add(entry);
        if (aborted() && entry.claim()) {
            listener.run();                               // aborted between the check and the add
        }
        return () -> remove(entry);
    }

    private void remove(Entry entry) {
        if (!entry.claim()) {
            return;                                       // it ran, or was removed already
        }
        int alive = live.decrementAndGet();
        int gone = removed.incrementAndGet();
        if (gone > 16 && gone > alive) {
            removed.addAndGet(-gone);
            listeners.removeIf(Entry::get);               // drops every claimed entry: removed ones, and ran ones
        }
    }

    /** Aborts with {@code why} unless aborted already; runs the listeners on this thread. */
    void fire(Object why) {
        if (!reason.compareAndSet(null, why)) {
            return;
        }
        for (Entry entry; (entry = listeners.poll()) != null; ) {
            if (!entry.claim()) {
                continue;                                 // removed before the abort
            }
            try {
                entry.listener.run();
            } catch (RuntimeException | Error e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }

    /** Node's default reason: a {@code DOMException} named {@code AbortError}. */
    static NetException defaultReason() {
        return new NetException(NetException.ABORT_ERR, "This operation was aborted");
    }

    /**
     * Node's {@code AbortError} for an operation stopped by a signal: {@code ABORT_ERR}, "The operation was
     * aborted", the signal's reason as the cause when it is a {@link Throwable}.
     *
     * @param reason the signal's reason
     * @return the error
     */
    public static NetException abortError(@Nullable Object reason) {
        return new NetException(NetException.ABORT_ERR, "The operation was aborted", null, null, 0,
                reason instanceof Throwable t ? t : null);
    }
}
