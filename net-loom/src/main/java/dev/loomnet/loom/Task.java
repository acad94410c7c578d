package dev.loomnet.loom;

/** A unit of work of an {@link EventQueue}: usually "emit this event", allowed to throw what listeners throw. */
@FunctionalInterface
interface Task {
    void run() throws Exception;
}
