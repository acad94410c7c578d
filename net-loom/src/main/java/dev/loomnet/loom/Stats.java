package dev.loomnet.loom;

import java.util.concurrent.atomic.AtomicInteger;

/** Process-wide counts of open handles, reported through {@link LoomNetProvider#handles()}. */
final class Stats {

    /** Sockets from {@code connect()} or accept until their {@code close} event. */
    static final AtomicInteger SOCKETS = new AtomicInteger();
    /** Servers from a successful {@code listen} until {@code close()}. */
    static final AtomicInteger SERVERS = new AtomicInteger();

    private Stats() {
    }
}
