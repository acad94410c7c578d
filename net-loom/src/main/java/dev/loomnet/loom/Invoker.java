package dev.loomnet.loom;

/** Calls one listener of a typed event with the event's arguments. */
@FunctionalInterface
interface Invoker<L> {
    void invoke(L listener) throws Exception;
}
