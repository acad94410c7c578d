package dev.loomnet.loom;

import dev.loomnet.net.Event;
import dev.loomnet.net.NetException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One emitter's listener lists (Node's {@code _events}): copy-on-write arrays, so emitting reads a snapshot
 * without locking and a listener added or removed during an emission does not change that emission.
 * Small on purpose: an idle socket with three listeners costs a few dozen bytes here.
 */
final class Listeners {

    private static final Slot[] NO_SLOTS = new Slot[0];
    private static final Entry[] NONE = new Entry[0];

    /**
     * A registration; compared by identity so the same listener can be added twice. A once registration runs
     * at most once even if emissions overlap, and still runs in an emission that started before it was
     * removed (as Node's once wrapper does).
     */
    static final class Entry {
        private final Object listener;
        private final @Nullable AtomicBoolean fired;

        Entry(Object listener, boolean once) {
            this.listener = listener;
            this.fired = once ? new AtomicBoolean() : null;
        }

        Object listener() {
            return listener;
        }

        boolean once() {
            return fired != null;
        }

        /** Claims the single run of a once registration. */
        boolean fire() {
            return fired == null || fired.compareAndSet(false, true);
        }
    }

    private record Slot(Event<?, ?> event, Entry[] entries) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private volatile Slot[] slots = NO_SLOTS;

    void add(Event<?, ?> event, Object listener, boolean once) {
        if (event == null || listener == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"" + (event == null ? "event" : "listener") + "\" argument must not be null. Received null");
        }
        lock.lock();
        try {
            Entry[] old = entries(event);
            Entry[] next = Arrays.copyOf(old, old.length + 1);
            next[old.length] = new Entry(listener, once);
            put(event, next);
        } finally {
            lock.unlock();
        }
    }

    /** Removes the most recent registration of {@code listener}. */
    void remove(Event<?, ?> event, Object listener) {
        lock.lock();
        try {
            Entry[] old = entries(event);
            for (int i = old.length - 1; i >= 0; i--) {
                if (old[i].listener() == listener) {
                    removeAt(event, old, i);
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes this exact registration (a once listener about to run); false if already gone. */
    boolean removeEntry(Event<?, ?> event, Entry entry) {
        lock.lock();
        try {
            Entry[] old = entries(event);
            for (int i = 0; i < old.length; i++) {
                if (old[i] == entry) {
                    removeAt(event, old, i);
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    void clear(Event<?, ?> event) {
        lock.lock();
        try {
            put(event, NONE);
        } finally {
            lock.unlock();
        }
    }

    void clearAll() {
        lock.lock();
        try {
            slots = NO_SLOTS;
        } finally {
            lock.unlock();
        }
    }

    int count(Event<?, ?> event) {
        return entries(event).length;
    }

    /** The current registrations, oldest first; the array is never changed afterwards. */
    Entry[] entries(Event<?, ?> event) {
        for (Slot slot : slots) {
            if (slot.event() == event) {
                return slot.entries();
            }
        }
        return NONE;
    }

    private void removeAt(Event<?, ?> event, Entry[] old, int i) {
        Entry[] next = new Entry[old.length - 1];
        System.arraycopy(old, 0, next, 0, i);
        System.arraycopy(old, i + 1, next, i, old.length - i - 1);
        put(event, next);
    }

    private void put(Event<?, ?> event, Entry[] entries) {
        Slot[] current = slots;
        for (int i = 0; i < current.length; i++) {
            if (current[i].event() == event) {
                Slot[] next;
                if (entries.length == 0) {
                    next = new Slot[current.length - 1];
                    System.arraycopy(current, 0, next, 0, i);
                    System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                } else {
                    next = current.clone();
                    next[i] = new Slot(event, entries);
                }
                slots = next;
                return;
            }
        }
        if (entries.length > 0) {
            Slot[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = new Slot(event, entries);
            slots = next;
        }
    }
}
