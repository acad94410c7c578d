package dev.loomnet.loom;

import dev.loomnet.net.Event;
import dev.loomnet.net.NetException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One emitter's listener lists (Node's {@code _events}): one copy-on-write array of every registration, in
 * registration order, each tagged with its event. Emitting reads a snapshot without locking, and a listener
 * added or removed during an emission does not change that emission. Changes are compare-and-set loops on the
 * array, so no lock is needed.
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

    private static final int ALWAYS = 0;
    private static final int ONCE = 1;
    private static final int ONCE_FIRED = 2;

    /**
     * A registration; compared by identity so the same listener can be added twice. A once registration runs
     * at most once even if emissions overlap, and still runs in an emission that started before it was
     * removed (as Node's once wrapper does).
     */
    static final class Entry {
        final Event<?, ?> event;
        private final Object listener;
        /** {@link #ALWAYS}, or {@link #ONCE} until {@link #fire()} claims the run ({@link #ONCE_FIRED}). */
        private volatile int state;

        Entry(Event<?, ?> event, Object listener, boolean once) {
            this.event = event;
            this.listener = listener;
            this.state = once ? ONCE : ALWAYS;
        }

        Object listener() {
            return listener;
        }

        boolean once() {
            return state != ALWAYS;
        }

        /** Claims the single run of a once registration. */
        boolean fire() {
            return state == ALWAYS || STATE.compareAndSet(this, ONCE, ONCE_FIRED);
        }
    }

    /** Every registration, oldest first; an array is never changed once published. */
    private volatile Entry[] all = NONE;

    void add(Event<?, ?> event, Object listener, boolean once) {
        if (event == null || listener == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"" + (event == null ? "event" : "listener") + "\" argument must not be null. Received null");
        }
        Entry entry = new Entry(event, listener, once);
        for (;;) {
            Entry[] old = all;
            Entry[] next = Arrays.copyOf(old, old.length + 1);
            next[old.length] = entry;
            if (ALL.compareAndSet(this, old, next)) {
                return;
            }
        }
    }

    /** Removes the most recent registration of {@code listener} for {@code event}. */
    // ReferenceEquality: as Node's removeListener, a registration matches the very listener object (===)
    @SuppressWarnings("ReferenceEquality")
    void remove(Event<?, ?> event, Object listener) {
        for (;;) {
            Entry[] old = all;
            int i = old.length - 1;
            while (i >= 0 && (old[i].event != event || old[i].listener != listener)) {
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

    void clear(Event<?, ?> event) {
        for (;;) {
            Entry[] old = all;
            Entry[] next = Arrays.stream(old).filter(e -> e.event != event).toArray(Entry[]::new);
            if (next.length == old.length || ALL.compareAndSet(this, old, next.length == 0 ? NONE : next)) {
                return;
            }
        }
    }

    void clearAll() {
        all = NONE;
    }

    int count(Event<?, ?> event) {
        int n = 0;
        for (Entry e : all) {
            if (e.event == event) {
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

    /** Every registration of every event, oldest first; the array is never changed afterwards. */
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
