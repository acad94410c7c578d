package dev.loomnet.loom;

import java.util.concurrent.atomic.LongAdder;

/**
 * Creates loomnet's threads and counts the live ones. Every thread name starts with {@value #PREFIX} so thread
 * dumps can tell them apart; the count lets tests check that nothing outlives its socket (virtual threads do
 * not appear in {@link Thread#getAllStackTraces()}).
 */
final class Threads {

    static final String PREFIX = "loomnet-";

    private static final LongAdder STARTED = new LongAdder();
    private static final LongAdder ENDED = new LongAdder();

    private Threads() {
    }

    static Thread startVirtual(String name, Runnable body) {
        STARTED.increment();
        return Thread.ofVirtual().name(PREFIX + name).start(() -> run(body));
    }

    /** Starts a virtual thread named {@code loomnet-<name><number>}, the string built here and only here. */
    static Thread startVirtual(String name, long number, Runnable body) {
        STARTED.increment();
        return Thread.ofVirtual().name(PREFIX + name, number).start(() -> run(body));
    }

    static Thread startPlatform(String name, boolean daemon, Runnable body) {
        STARTED.increment();
        return Thread.ofPlatform().name(PREFIX + name).daemon(daemon).start(() -> run(body));
    }

    /**
     * Starts a virtual thread named {@code loomnet-<name><number>} whose body counts its own end with
     * {@link #ended()}: the connection threads, so that their parked stacks carry no wrapper frames (an idle
     * connection's stack is most of its memory).
     */
    static Thread startVirtualSelfCounted(String name, long number, Runnable body) {
        STARTED.increment();
        // name(prefix, start) appends the number itself: one string per thread, no intermediate one
        return Thread.ofVirtual().name(PREFIX + name, number).start(body);
    }

    /** Called once by a body started with {@link #startVirtualSelfCounted}, when it ends. */
    static void ended() {
        ENDED.increment();
    }

    private static void run(Runnable body) {
        try {
            body.run();
        } finally {
            ENDED.increment();
        }
    }

    /** Threads started by loomnet that have not ended yet. */
    static int live() {
        return (int) (STARTED.sum() - ENDED.sum());
    }

    /** Hands an error nobody listens for to the current thread's uncaught exception handler, as Node crashes. */
    static void uncaught(Throwable error) {
        Thread t = Thread.currentThread();
        try {
            Log.uncaught(t, error);
        } catch (RuntimeException | LinkageError notLogged) {
            // a class that cannot be loaded (out of descriptors) must not keep the error from the handler
        }
        t.getUncaughtExceptionHandler().uncaughtException(t, error);
    }
}
