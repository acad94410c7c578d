package dev.loomnet.loom;

/** A unit of work of an {@link EventQueue}: usually "emit this event", allowed to throw what listeners throw. */
@FunctionalInterface
interface Task {
    void run() throws Exception;

    /** A task that takes its argument rather than capturing it, so that running it allocates nothing. */
    @FunctionalInterface
    interface WithArg<A> {
        void run(A arg) throws Exception;
    }
}
