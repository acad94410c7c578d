package dev.loomnet.loom;

/**
 * Creates loomnet's threads. Every thread name starts with {@value #PREFIX} so thread dumps and the tests' leak
 * checks can tell them apart.
 */
final class Threads {

    static final String PREFIX = "loomnet-";

    private Threads() {
    }

    static Thread startVirtual(String name, Runnable body) {
        return Thread.ofVirtual().name(PREFIX + name).start(body);
    }

    static Thread startPlatform(String name, boolean daemon, Runnable body) {
        return Thread.ofPlatform().name(PREFIX + name).daemon(daemon).start(body);
    }

    /** Hands an error nobody listens for to the current thread's uncaught exception handler, as Node crashes. */
    static void uncaught(Throwable error) {
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, error);
    }
}
