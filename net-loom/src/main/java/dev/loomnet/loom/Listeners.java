package dev.loomnet.loom;

import dev.loomnet.net.Event;
import dev.loomnet.net.NetException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One emitter's listener lists (Node's {@code _events}): one copy-on-write array of every registration, in
 * registration order, each tagged with its event. Emitting reads a snapshot without locking, and a listener
 * added or removed during an emission does not change that emission. Changes are compare-and-set loops on the
 * array, so no lock is needed.
 *
 * <p>The same array holds the <em>kept</em> events of an emitter that keeps its lifecycle events
 * ({@link Emitter#emitLifecycle}): an entry that carries the emission itself instead of a listener. Appending it
 * is a compare-and-set on the array an emission read its listeners from, so every registration is either in
 * that emission's snapshot or placed after the kept entry, and then receives it by replay: never both, never
 * neither.
 *
 * <p>Small on purpose, since every socket has one: an idle echo socket with three listeners costs the holder,
 * one array and three entries here (about 120 bytes; a slot per event, an array per slot and a lock cost about
 * 320). The price is that looking up one event scans the registrations of every event, a handful in practice.
 */
final class Listeners {

    private static final Entry[] NONE = new Entry[0];
    private static final VarHandle ALL;
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ALL = lookup.findVarHandle(Listeners.class, "all", Entry[].class);
            STATE = lookup.findVarHandle(Entry.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A registration that runs at most once. */
    private static final int ONCE = 1;
    /** A once registration whose run was claimed by {@link Entry#fire()}. */
    private static final int FIRED = 2;
    /** Not a registration: an emission kept for registrations added after it. */
    private static final int KEPT = 4;
    /**
     * A registration added late: after its emitter's current connection started, from outside its listeners.
     * Cleared when the next connection starts, for which it is in time ({@link #allInTime()}).
     */
    private static final int LATE = 8;

    /**
     * A registration; compared by identity so the same listener can be added twice. A once registration runs
     * at most once even if emissions overlap, and still runs in an emission that started before it was
     * removed (as Node's once wrapper does).
     */
    static final class Entry {
        final Event<?, ?> event;
        private final Object listener;
        /**
         * Bits: {@link #ONCE} (and {@link #FIRED} once {@link #fire()} claimed the run), {@link #LATE}; or
         * {@link #KEPT} for a kept emission, whose {@link #listener} is the {@link Invoker} that replays it.
         */
        private volatile int state;

        private Entry(Event<?, ?> event, Object listener, int state) {
            this.event = event;
            this.listener = listener;
            this.state = state;
        }

        Object listener() {
            return listener;
        }

        boolean once() {
            return (state & ONCE) != 0;
        }

        /** Whether this registration was added late ({@link #LATE}). */
        boolean late() {
            return (state & LATE) != 0;
        }

        private void inTime() {
            int s;
            do {
                s = state;
            } while ((s & LATE) != 0 && !STATE.compareAndSet(this, s, s & ~LATE));
        }

        /** Whether this is a kept emission rather than a registration. */
        boolean kept() {
            return (state & KEPT) != 0;
        }

        /** Claims the single run of a once registration. */
        boolean fire() {
            int s = state;
            return (s & ONCE) == 0 || ((s & FIRED) == 0 && STATE.compareAndSet(this, s, s | FIRED));
        }
    }

    /** Every registration, oldest first; an array is never changed once published. */
    private volatile Entry[] all = NONE;

    /** Adds a registration ({@code late}: see {@link #LATE}) and returns it. */
    Entry add(Event<?, ?> event, Object listener, boolean once, boolean late) {
        if (event == null || listener == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"" + (event == null ? "event" : "listener") + "\" argument must not be null. Received null");
        }
        Entry entry = new Entry(event, listener, (once ? ONCE : 0) | (late ? LATE : 0));
        append(entry);
        return entry;
    }

    /** Appends {@code entry}; returns the array it was appended to. */
    private Entry[] append(Entry entry) {
        for (;;) {
            Entry[] old = all;
            Entry[] next = Arrays.copyOf(old, old.length + 1);
            next[old.length] = entry;
            if (ALL.compareAndSet(this, old, next)) {
                return old;
            }
        }
    }

    /** An emission to keep ({@link #keep}): {@code replay} calls one listener with its arguments. */
    static Entry kept(Event<?, ?> event, Invoker<?> replay) {
        return new Entry(event, replay, KEPT);
    }

    /**
     * Keeps an emission for the registrations added after it, and returns the registrations it goes to now:
     * those of the array it was appended to, atomically.
     *
     * @return every registration, oldest first, as it was just before {@code kept} was appended
     */
    Entry[] keep(Entry kept) {
        return append(kept);
    }

    /** Whether an emission of {@code event} is kept. */
    boolean hasKept(Event<?, ?> event) {
        for (Entry e : all) {
            if (e.event == event && e.kept()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The kept emissions of {@code registration}'s event that were appended before it, oldest first: the ones it
     * did not receive when they were emitted. Asked right after adding it, so that a connection started later
     * ({@link #discardKept}) does not take them from it. Empty if it was removed meanwhile.
     */
    List<Entry> keptBefore(Entry registration) {
        return keptBetween(null, registration);
    }

    /** {@link #keptBefore} limited to the emissions appended after {@code after} (none if it is gone). */
    List<Entry> keptBetween(@Nullable Entry after, Entry registration) {
        List<Entry> found = new ArrayList<>(1);
        boolean started = after == null;
        for (Entry e : all) {
            if (e == registration) {
                return started ? found : List.of();
            }
            if (e == after) {
                started = true;
            } else if (started && e.event == registration.event && e.kept()) {
                found.add(e);
            }
        }
        return List.of();
    }

    /** Marks every registration in time: it was added before the connection that starts now. */
    void allInTime() {
        for (Entry e : all) {
            e.inTime();
        }
    }

    /** Removes every kept emission (the emitter starts a new connection) and returns them, oldest first. */
    List<Entry> discardKept() {
        for (;;) {
            Entry[] old = all;
            Entry[] next = Arrays.stream(old).filter(e -> !e.kept()).toArray(Entry[]::new);
            if (next.length == old.length) {
                return List.of();
            }
            if (ALL.compareAndSet(this, old, next.length == 0 ? NONE : next)) {
                return Arrays.stream(old).filter(Entry::kept).toList();
            }
        }
    }

    /**
     * Calls every listener of {@code event} among {@code registrations} (a {@link #snapshot()}, or what
     * {@link #keep} returned) in order, on the calling thread; a once listener is removed just before it runs.
     * What a listener throws propagates, and the remaining listeners do not run (as in Node).
     *
     * @return whether there was any listener
     */
    <L> boolean emit(Entry[] registrations, Event<?, L> event, Invoker<L> invoker) throws Exception {
        return emit(registrations, event, (Invoker.WithArg<L, Invoker<L>>) (listener, call) -> call.invoke(listener),
                invoker);
    }

    /** {@link #emit(Entry[], Event, Invoker)} with the listeners' argument passed in, not captured. */
    @SuppressWarnings("unchecked")
    <L, A> boolean emit(Entry[] registrations, Event<?, L> event, Invoker.WithArg<L, A> invoker, A arg)
            throws Exception {
        boolean any = false;
        for (Entry entry : registrations) {
            if (entry.event != event || entry.kept()) {
                continue;
            }
            any = true;
            if (entry.once()) {
                if (!entry.fire()) {
                    continue;                       // already ran (server CONNECTION emits concurrently)
                }
                removeEntry(entry);
            }
            invoker.invoke((L) entry.listener(), arg);
        }
        return any;
    }

    /** Whether this exact registration is still in place. */
    boolean contains(Entry registration) {
        for (Entry e : all) {
            if (e == registration) {
                return true;
            }
        }
        return false;
    }

    /** Removes the most recent registration of {@code listener} for {@code event}. */
    // ReferenceEquality: as Node's removeListener, a registration matches the very listener object (===)
    @SuppressWarnings("ReferenceEquality")
    void remove(Event<?, ?> event, Object listener) {
        for (;;) {
            Entry[] old = all;
            int i = old.length - 1;
            while (i >= 0 && (old[i].event != event || old[i].listener != listener || old[i].kept())) {
                i--;
            }
            if (i < 0 || ALL.compareAndSet(this, old, without(old, i))) {
                return;
            }
        }
    }

    /** Removes this exact registration (a once listener about to run); false if already gone. */
    boolean removeEntry(Entry entry) {
        for (;;) {
            Entry[] old = all;
            int i = 0;
            while (i < old.length && old[i] != entry) {
                i++;
            }
            if (i == old.length) {
                return false;
            }
            if (ALL.compareAndSet(this, old, without(old, i))) {
                return true;
            }
        }
    }

    /** Removes every registration of {@code event}; its kept emissions stay. */
    void clear(Event<?, ?> event) {
        removeIf(e -> e.event == event && !e.kept());
    }

    /** Removes every registration; kept emissions stay. */
    void clearAll() {
        removeIf(e -> !e.kept());
    }

    private void removeIf(java.util.function.Predicate<Entry> filter) {
        for (;;) {
            Entry[] old = all;
            Entry[] next = Arrays.stream(old).filter(filter.negate()).toArray(Entry[]::new);
            if (next.length == old.length || ALL.compareAndSet(this, old, next.length == 0 ? NONE : next)) {
                return;
            }
        }
    }

    int count(Event<?, ?> event) {
        int n = 0;
        for (Entry e : all) {
            if (e.event == event && !e.kept()) {
                n++;
            }
        }
        return n;
    }

    /** The listener of {@code event} if it has exactly one registration and that is not a once one, else null. */
    @Nullable Object sole(Event<?, ?> event) {
        Object found = null;
        for (Entry e : all) {
            if (e.event == event) {
                if (found != null || e.once()) {
                    return null;
                }
                found = e.listener;
            }
        }
        return found;
    }

    /**
     * Every registration of every event, oldest first, with the kept emissions among them; the array is never
     * changed afterwards.
     */
    Entry[] snapshot() {
        return all;
    }

    private static Entry[] without(Entry[] old, int i) {
        if (old.length == 1) {
            return NONE;
        }
        Entry[] next = new Entry[old.length - 1];
        System.arraycopy(old, 0, next, 0, i);
        System.arraycopy(old, i + 1, next, i, old.length - i - 1);
        return next;
    }
}
