package dev.loomnet.loom;

/** Calls one listener of a typed event with the event's arguments. */
@FunctionalInterface
interface Invoker<L> {
    void invoke(L listener) throws Exception;

    /**
     * The same with the argument passed in rather than captured: {@code DataListener::onData} is one shared
     * instance, so emitting a chunk allocates no lambda per event.
     */
    @FunctionalInterface
    interface WithArg<L, A> {
        void invoke(L listener, A arg) throws Exception;
    }
}
