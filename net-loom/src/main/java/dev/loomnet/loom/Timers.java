package dev.loomnet.loom;

import java.util.PriorityQueue;
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
    abstract static class Timeout implements Comparable<Timeout> {
        /** The deadline in {@link System#nanoTime()} terms; guarded by the timer lock. */
        private long deadline;
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

        @Override
        public final int compareTo(Timeout o) {
            return Long.compare(deadline, o.deadline);
        }
    }

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition CHANGED = LOCK.newCondition();
    private static final PriorityQueue<Timeout> HEAP = new PriorityQueue<>();
    private static @Nullable Thread thread;

    private Timers() {
    }

    /** Arms (or re-arms) {@code t} for {@code periodNanos} from now; zero disarms. */
    static void arm(Timeout t, long periodNanos) {
        LOCK.lock();
        try {
            if (t.scheduled) {
                HEAP.remove(t);
                t.scheduled = false;
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
}
