package dev.loomnet.loom;

import dev.loomnet.net.Event;
import dev.loomnet.net.EventEmitter;

/**
 * The {@link EventEmitter} half of sockets and servers: listener registration and typed emission. Emission
 * happens only from tasks of the owner's {@link EventQueue}, so listeners of one emitter never overlap.
 */
abstract class Emitter<T extends EventEmitter<T>> implements EventEmitter<T> {

    final Listeners listeners = new Listeners();

    abstract T self();

    /** Called after a listener was added; sockets start flowing when the first {@code data} listener arrives. */
    void listenerAdded(Event<?, ?> event) {
    }

    @Override
    public <L> T on(Event<? super T, L> event, L listener) {
        listeners.add(event, listener, false);
        listenerAdded(event);
        return self();
    }

    @Override
    public <L> T once(Event<? super T, L> event, L listener) {
        listeners.add(event, listener, true);
        listenerAdded(event);
        return self();
    }

    @Override
    public <L> T off(Event<? super T, L> event, L listener) {
        listeners.remove(event, listener);
        return self();
    }

    @Override
    public int listenerCount(Event<? super T, ?> event) {
        return listeners.count(event);
    }

    @Override
    public T removeAllListeners() {
        listeners.clearAll();
        return self();
    }

    @Override
    public T removeAllListeners(Event<? super T, ?> event) {
        listeners.clear(event);
        return self();
    }

    boolean hasListeners(Event<?, ?> event) {
        return listeners.count(event) > 0;
    }

    /**
     * Calls every listener of {@code event} in registration order, on the calling thread. A once listener is
     * removed just before it runs. What a listener throws propagates, and the remaining listeners do not run
     * (as in Node).
     *
     * @return whether there was any listener
     */
    <L> boolean emit(Event<?, L> event, Invoker<L> invoker) throws Exception {
        return emit(event, (Invoker.WithArg<L, Invoker<L>>) (listener, call) -> call.invoke(listener), invoker);
    }

    /** {@link #emit(Event, Invoker)} with the listeners' argument passed in, not captured (the hot path). */
    @SuppressWarnings("unchecked")
    <L, A> boolean emit(Event<?, L> event, Invoker.WithArg<L, A> invoker, A arg) throws Exception {
        boolean any = false;
        for (Listeners.Entry entry : listeners.snapshot()) {
            if (entry.event != event) {
                continue;
            }
            any = true;
            if (entry.once()) {
                if (!entry.fire()) {
                    continue;                       // already ran (server CONNECTION emits concurrently)
                }
                listeners.removeEntry(entry);
            }
            invoker.invoke((L) entry.listener(), arg);
        }
        return any;
    }
}
