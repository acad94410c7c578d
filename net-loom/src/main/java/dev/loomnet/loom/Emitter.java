package dev.loomnet.loom;

import dev.loomnet.net.ErrorListener;
import dev.loomnet.net.Event;
import dev.loomnet.net.EventEmitter;
import dev.loomnet.net.NetException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The {@link EventEmitter} half of sockets and servers: listener registration, typed emission and
 * {@link #when}; the lifecycle events kept for listeners added late are {@link KeptEvents}' job. Emission
 * happens only from tasks of the owner's {@link EventQueue}, so listeners of one emitter never overlap.
 */
abstract class Emitter<T extends EventEmitter<T>> implements EventEmitter<T> {

    final Listeners listeners = new Listeners();
    /**
     * The current connection's kept events, or null when they are not kept; decided by
     * {@link #keepEventsIfLate} whenever the emitter is created, connected or told to listen.
     */
    private volatile @Nullable KeptEvents kept;

    abstract T self();

    /** The owner's event sequence. */
    abstract EventQueue eventQueue();

    /** The owner's {@code ERROR} key. */
    abstract Event<? super T, ErrorListener> errorEvent();

    /** Called after a listener was added; sockets start flowing when the first {@code data} listener arrives. */
    void listenerAdded(Event<?, ?> event) {
    }

    @Override
    public <L> T on(Event<? super T, L> event, L listener) {
        add(event, listener, false, true);
        return self();
    }

    @Override
    public <L> T once(Event<? super T, L> event, L listener) {
        add(event, listener, true, true);
        return self();
    }

    /**
     * {@link #once} for a listener the API registers for the caller (the callback of {@code connect},
     * {@code listen} or {@code close}): it is in place before its event can come, so it is never late.
     */
    <L> void onceInTime(Event<? super T, L> event, L listener) {
        add(event, listener, true, false);
    }

    private void add(Event<?, ?> event, Object listener, boolean once, boolean mayBeLate) {
        KeptEvents k = kept;
        if (k == null) {
            listeners.add(event, listener, once, false);
        } else {
            boolean late = mayBeLate && k.late();
            k.added(() -> List.of(listeners.add(event, listener, once, late)));
        }
        listenerAdded(event);
    }

    /**
     * {@code when}'s two once listeners, of {@code ERROR} (unless null) and of its event, added as one: owed
     * their kept emissions together ({@link KeptEvents#added(java.util.function.Supplier)}), so that the future gets whichever was
     * emitted first. Added one by one, the kept {@code ERROR} could be replayed before the event's listener was
     * even there, failing the future of an event that came before the error.
     */
    private void addOnceTogether(@Nullable Event<?, ?> error, @Nullable Object onError, Event<?, ?> event,
                                 Object listener) {
        KeptEvents k = kept;
        boolean late = k != null && k.late();
        Supplier<List<Listeners.Entry>> add = () -> {
            List<Listeners.Entry> registrations = new ArrayList<>(2);
            if (error != null && onError != null) {
                registrations.add(listeners.add(error, onError, true, late));
            }
            registrations.add(listeners.add(event, listener, true, late));
            return registrations;
        };
        List<Listeners.Entry> unused = k == null ? add.get() : k.added(add);
        if (error != null && onError != null) {
            listenerAdded(error);
        }
        listenerAdded(event);
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

    @Override
    public <V extends @Nullable Object> CompletableFuture<V> when(Event.Valued<? super T, ?, V> event) {
        if (event == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"event\" argument must not be null. Received null");
        }
        return whenTyped(event);
    }

    private <L, V extends @Nullable Object> CompletableFuture<V> whenTyped(Event<? super T, L> event) {
        EventFuture<V> future = new EventFuture<>();
        L listener = future.listener(event);
        Event<? super T, ErrorListener> error = errorEvent();
        ErrorListener onError = event == error ? null : future::completeExceptionally;
        Runnable remove = () -> {
            off(event, listener);
            if (onError != null) {
                off(error, onError);
            }
        };
        // the derived stage only removes the listeners: nothing fails in it, nobody needs it
        CompletableFuture<V> unused = future.whenComplete((value, failure) -> remove.run());
        addOnceTogether(onError == null ? null : error, onError, event, listener);
        if (future.isDone()) {
            remove.run();                               // completed before the listeners were all in place
        }
        return future;
    }

    boolean hasListeners(Event<?, ?> event) {
        return listeners.count(event) > 0;
    }

    /**
     * Called by the thread that creates, connects or tells the emitter to listen: from now on the lifecycle
     * events are kept for late listeners unless that thread can still attach listeners before any event runs
     * (Node's tick: see {@link EventQueue#listenersCannotBeLate()}). Discards what the previous connection kept;
     * an error of it that no listener received is reported now. The listeners added so far are in time for the
     * connection that starts.
     *
     * @param starting false for the emitter's creation, which starts no connection yet: the listeners added
     *                 before {@code connect} or {@code listen} are in time, not late
     */
    void keepEventsIfLate(boolean starting) {
        listeners.allInTime();
        kept = eventQueue().listenersCannotBeLate() ? null : new KeptEvents(listeners, eventQueue(), starting);
        for (Listeners.Entry dropped : listeners.discardKept()) {
            if (dropped.listener() instanceof UnheardError unheard) {
                unheard.report();
            }
        }
    }

    /**
     * Calls every listener of {@code event} in registration order, on the calling thread. A once listener is
     * removed just before it runs. What a listener throws propagates, and the remaining listeners do not run
     * (as in Node).
     *
     * @return whether there was any listener
     */
    <L> boolean emit(Event<?, L> event, Invoker<L> invoker) throws Exception {
        return listeners.emit(listeners.snapshot(), event, invoker);
    }

    /** {@link #emit(Event, Invoker)} with the listeners' argument passed in, not captured (the hot path). */
    <L, A> boolean emit(Event<?, L> event, Invoker.WithArg<L, A> invoker, A arg) throws Exception {
        return listeners.emit(listeners.snapshot(), event, invoker, arg);
    }

    /**
     * {@link #emit(Event, Invoker)} for an event Node emits at most once per connection: kept for late
     * listeners while the connection's events are kept.
     */
    <L> boolean emitLifecycle(Event<?, L> event, Invoker<L> invoker) throws Exception {
        KeptEvents k = kept;
        return k == null ? emit(event, invoker) : k.emit(event, invoker);
    }

    /**
     * Emits {@code ERROR}. An error no listener receives goes to the uncaught exception handler: at once, or,
     * while events are kept, once no listener can receive it any more ({@link UnheardError}).
     */
    void emitError(Throwable error) throws Exception {
        KeptEvents k = kept;
        if (k != null) {
            k.emitError(errorEvent(), error, this);
        } else if (!emit(errorEvent(), l -> l.onError(error))) {
            Threads.uncaught(error);
        }
    }
}
