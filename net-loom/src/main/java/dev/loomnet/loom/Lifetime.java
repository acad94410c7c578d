package dev.loomnet.loom;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Node's "the process stays alive while a ref'd handle is open", for the JVM. Virtual threads are always
 * daemon threads, so while at least one ref'd server listens or ref'd socket is open, one non-daemon platform
 * thread ({@code loomnet-keepalive}) waits here; when the count drops to zero it ends and the JVM may exit
 * once {@code main} has returned.
 */
final class Lifetime {

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition CHANGED = LOCK.newCondition();
    private static int count;
    private static @Nullable Thread keeper;

    private Lifetime() {
    }

    private static void add(int delta) {
        LOCK.lock();
        try {
            count += delta;
            if (count > 0 && keeper == null) {
                keeper = Threads.startPlatform("keepalive", false, Lifetime::keepAlive);
            } else if (count == 0) {
                CHANGED.signalAll();
            }
        } finally {
            LOCK.unlock();
        }
    }

    private static void keepAlive() {
        LOCK.lock();
        try {
            while (count > 0) {
                CHANGED.awaitUninterruptibly();
            }
            keeper = null;
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * One handle's share of the count: it counts while it is active (listening, or open) and ref'd. Lock-free,
     * so a socket pays one CAS when it opens and one when it closes.
     */
    static final class Ref extends AtomicInteger {
        // Extends AtomicInteger (its value is the bits) rather than holding one: every socket has two Refs, and
        // a separate atomic object would cost each idle connection 32 bytes more.
        private static final long serialVersionUID = 1L;
        private static final int ACTIVE = 1;
        private static final int UNREFED = 2;

        void activate() {
            update(ACTIVE, true);
        }

        void deactivate() {
            update(ACTIVE, false);
        }

        void ref() {
            update(UNREFED, false);
        }

        void unref() {
            update(UNREFED, true);
        }

        private void update(int bit, boolean set) {
            int prev;
            int next;
            do {
                prev = get();
                next = set ? prev | bit : prev & ~bit;
            } while (!compareAndSet(prev, next));
            boolean before = prev == ACTIVE;
            boolean after = next == ACTIVE;
            if (before != after) {
                add(after ? 1 : -1);
            }
        }
    }
}
