package dev.loomnet.net;

/**
 * Node's {@code EventEmitter}, with typed event keys. Listeners of one event run in registration order;
 * every method returns the emitter so calls chain. All methods are thread-safe and may be called from any
 * thread, including from inside a listener.
 *
 * <p>A listener added while an event is being emitted does not run for that emission; one removed while an
 * event is being emitted still runs for it (Node copies the listener array before emitting).
 *
 * @param <T> the concrete emitter type, returned for chaining
 */
public interface EventEmitter<T extends EventEmitter<T>> {

    /**
     * Adds a listener to the end of the event's list ({@code emitter.on(name, listener)}). The same listener
     * may be added more than once and then runs once per registration.
     *
     * @param event    the event key
     * @param listener the listener
     * @param <L>      the listener type of the event
     * @return this emitter
     */
    <L> T on(Event<? super T, L> event, L listener);

    /**
     * Adds a listener that is removed just before it runs for the first time ({@code emitter.once}).
     *
     * @param event    the event key
     * @param listener the listener
     * @param <L>      the listener type of the event
     * @return this emitter
     */
    <L> T once(Event<? super T, L> event, L listener);

    /**
     * Removes the most recently added registration of this exact listener object ({@code emitter.off});
     * does nothing if it is not registered.
     *
     * @param event    the event key
     * @param listener the listener to remove (compared by identity)
     * @param <L>      the listener type of the event
     * @return this emitter
     */
    <L> T off(Event<? super T, L> event, L listener);

    /**
     * Returns how many listeners the event has now ({@code emitter.listenerCount(name)}).
     *
     * @param event the event key
     * @return the number of registrations
     */
    int listenerCount(Event<? super T, ?> event);

    /**
     * Removes every listener of every event ({@code emitter.removeAllListeners()}).
     *
     * @return this emitter
     */
    T removeAllListeners();

    /**
     * Removes every listener of one event ({@code emitter.removeAllListeners(name)}).
     *
     * @param event the event key
     * @return this emitter
     */
    T removeAllListeners(Event<? super T, ?> event);
}
