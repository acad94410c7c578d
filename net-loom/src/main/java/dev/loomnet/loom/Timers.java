package dev.loomnet.loom;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Every socket idle timeout, on one daemon platform thread ({@code loomnet-timer}) with a deadline heap, as
 * Okio's watchdog. Activity does not touch the heap: a socket records the time of its last read or write in
 * a field, and when its deadline comes the timer compares, then either fires or moves the deadline to
 * "last activity + timeout". So a busy socket costs one {@code nanoTime} per read or write and a heap
 * operation per timeout period, and an idle socket with no timeout costs nothing. The thread exits when the
 * heap is empty and is started again on demand.
 */
final class Timers {

    /** A socket's timer, re-armed in place. */
    abstract static class Timeout {
        /** The deadline in {@link System#nanoTime()} terms; guarded by the timer lock. */
        private long deadline;
        /** Position in the heap array, -1 when not in it; guarded by the timer lock. */
        private int index = -1;
        /**
         * Whether this timeout is in the heap; written under the timer lock, read without it by {@link #touch()}.
         * Volatile on both sides (with {@link #lastActivity}) so that either {@code touch} sees a fired timer
         * and re-schedules it, or the timer thread sees the new activity and re-inserts it.
         */
        private volatile boolean scheduled;
        volatile long lastActivity;
        volatile long periodNanos;

        /** Records activity now; re-schedules if the timer had fired or was never armed. */
        final void touch() {
            if (periodNanos == 0) {
                return;
            }
            lastActivity = System.nanoTime();
            if (!scheduled) {
                schedule(this);
            }
        }

        /** Called on the timer thread when {@code periodNanos} passed without activity; must not block. */
        abstract void expired();

    }

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition CHANGED = LOCK.newCondition();
    private static final DeadlineHeap HEAP = new DeadlineHeap();
    private static @Nullable Thread thread;

    private Timers() {
    }

    /** Arms (or re-arms) {@code t} for {@code periodNanos} from now; zero disarms. */
    static void arm(Timeout t, long periodNanos) {
        LOCK.lock();
        try {
            if (t.scheduled) {
                HEAP.remove(t);                   // O(log n): every timeout knows its index
                t.scheduled = false;
                if (HEAP.size() == 0 && thread != null) {
                    CHANGED.signal();             // let the thread see the empty heap and exit now
                }
            }
            t.periodNanos = periodNanos;
            if (periodNanos > 0) {
                t.lastActivity = System.nanoTime();
                insert(t, t.lastActivity + periodNanos);
            }
        } finally {
            LOCK.unlock();
        }
    }

    static void cancel(Timeout t) {
        arm(t, 0);
    }

    private static void schedule(Timeout t) {
        LOCK.lock();
        try {
            if (!t.scheduled && t.periodNanos > 0) {
                insert(t, t.lastActivity + t.periodNanos);
            }
        } finally {
            LOCK.unlock();
        }
    }

    // ReferenceEquality: whether this very timeout is now the earliest one
    @SuppressWarnings("ReferenceEquality")
    private static void insert(Timeout t, long deadline) {
        t.deadline = deadline;
        t.scheduled = true;
        HEAP.add(t);
        if (thread == null) {
            thread = Threads.startPlatform("timer", true, Timers::run);
        } else if (HEAP.peek() == t) {
            CHANGED.signal();
        }
    }

    /** How many timeouts are armed (for tests and benchmarks). */
    static int armed() {
        LOCK.lock();
        try {
            return HEAP.size();
        } finally {
            LOCK.unlock();
        }
    }

    private static void run() {
        LOCK.lock();
        try {
            for (;;) {
                Timeout head = HEAP.peek();
                if (head == null) {
                    thread = null;
                    return;
                }
                long now = System.nanoTime();
                long wait = head.deadline - now;
                if (wait > 0) {
                    CHANGED.awaitNanos(wait);
                    continue;
                }
                HEAP.poll();
                head.scheduled = false;
                long idleUntil = head.lastActivity + head.periodNanos;
                if (head.periodNanos == 0) {
                    continue;
                }
                if (idleUntil - now > 0) {
                    insert(head, idleUntil);          // there was activity: wait for the rest of the period
                } else {
                    LOCK.unlock();
                    try {
                        head.expired();
                    } finally {
                        LOCK.lock();
                    }
                }
            }
        } catch (InterruptedException e) {
            thread = null;
            Thread.currentThread().interrupt();
        } finally {
            LOCK.unlock();
        }
    }

    static long toNanos(java.time.Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return TimeUnit.DAYS.toNanos(365L * 100);
        }
    }

    /**
     * A binary min-heap of timeouts by deadline in which each timeout knows its own index, so that cancelling
     * or re-arming one is O(log n) rather than the linear search of {@link java.util.PriorityQueue#remove}:
     * closing many sockets that set timeouts must not cost O(n^2). Used under the timer lock only.
     */
    private static final class DeadlineHeap {
        private Timeout[] items = new Timeout[64];
        private int size;

        int size() {
            return size;
        }

        @org.jspecify.annotations.Nullable Timeout peek() {
            return size == 0 ? null : items[0];
        }

        void add(Timeout t) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size] = t;
            t.index = size;
            size++;
            up(t.index);
        }

        @org.jspecify.annotations.Nullable Timeout poll() {
            if (size == 0) {
                return null;
            }
            Timeout head = items[0];
            removeAt(0);
            return head;
        }

        // ReferenceEquality: whether the slot still holds this very timeout
        @SuppressWarnings("ReferenceEquality")
        void remove(Timeout t) {
            if (t.index >= 0 && t.index < size && items[t.index] == t) {
                removeAt(t.index);
            }
        }

        // NullAway: the slot past the new size is cleared to null (the heap keeps no removed timeout
        // reachable); items holds non-null timeouts below size, and only those slots are ever read.
        @SuppressWarnings("NullAway")
        private void removeAt(int i) {
            Timeout removed = items[i];
            size--;
            Timeout last = items[size];
            items[size] = null;
            removed.index = -1;
            if (i < size) {
                items[i] = last;
                last.index = i;
                down(i);
                up(last.index);
            }
            if (items.length > 64 && size < items.length / 4) {
                items = Arrays.copyOf(items, items.length / 2);
            }
        }

        private void up(int i) {
            Timeout t = items[i];
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                Timeout p = items[parent];
                if (p.deadline - t.deadline <= 0) {
                    break;
                }
                items[i] = p;
                p.index = i;
                i = parent;
            }
            items[i] = t;
            t.index = i;
        }

        private void down(int i) {
            Timeout t = items[i];
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < size && items[right].deadline - items[child].deadline < 0) {
                    child = right;
                }
                if (t.deadline - items[child].deadline <= 0) {
                    break;
                }
                items[i] = items[child];
                items[i].index = i;
                i = child;
            }
            items[i] = t;
            t.index = i;
        }
    }
}
