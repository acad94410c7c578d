package dev.loomnet.net;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Node's {@code EventEmitter}, with typed event keys. Listeners of one event run in registration order;
 * every method returns the emitter so calls chain. All methods are thread-safe and may be called from any
 * thread, including from inside a listener.
 *
 * <p>A listener added while an event is being emitted does not run for that emission; one removed while an
 * event is being emitted still runs for it (Node copies the listener array before emitting).
 *
 * <h2 id="late-listeners">Listeners added after {@code connect} or {@code listen}</h2>
 *
 * <p>Node emits nothing before the code that created a socket or server has returned to the event loop, so
 * {@code const c = net.connect(port); c.on('error', ...); c.on('close', ...)} never misses an event. A plain
 * Java thread has no such moment: the connection may fail before the next line runs. loomnet therefore
 * <em>keeps</em> the events Node emits at most once per connection, whenever the socket or server was created,
 * connected or told to listen outside its own listeners:
 * <ul>
 *   <li>{@link Socket}: {@code LOOKUP}, the {@code CONNECTION_ATTEMPT} events, {@code CONNECT}, {@code READY},
 *       {@code END}, {@code FINISH}, {@code ERROR}, {@code CLOSE};</li>
 *   <li>{@link Server}: {@code LISTENING}, {@code ERROR}, {@code CLOSE}.</li>
 * </ul>
 * A listener added after such an event was emitted receives it too: once, on the emitter's own event sequence
 * (never on the caller's thread), in the order the events were emitted. So
 * {@code Socket c = Net.connect(port, host); c.on(Socket.ERROR, ...); c.on(Socket.CLOSE, ...)} is as safe as in
 * Node, from any thread. Each listener's share is paid when it is added: two listeners of different events
 * added late hear their kept events in the order they were added, so add the {@code ERROR} listener before
 * the {@code CLOSE} listener (Node's usual order) when the one reads what the other stored. The kept events
 * belong to one connection: the next {@code connect} (or {@code listen})
 * discards them. Repeating events ({@code DATA}, {@code TEXT}, {@code DRAIN}, {@code TIMEOUT},
 * {@code CONNECTION}, {@code DROP}) are never kept: nothing is read before a {@code DATA} listener,
 * {@code resume()} or {@code pipe()} asks for it.
 *
 * <p>Inside a listener Node's own rule holds, because there is a moment to wait for: a socket or server created
 * there emits nothing until that listener returns, and an accepted socket emits nothing before its
 * {@code CONNECTION} listeners returned. Their events are not kept: an event emitted with no listener is gone,
 * as in Node. The same holds for {@code connect} called inside the socket's own listener.
 *
 * <p>An {@code ERROR} that reaches no listener goes to the thread's uncaught exception handler (Node would
 * crash), exactly once: at once where events are not kept; where they are, once no listener can receive it
 * any more: when the emitter connects or listens again, when it is garbage collected, or when the JVM shuts
 * down. An {@code ERROR} a listener received never goes there.
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

    /**
     * Node's {@code events.once(emitter, name)}: a future of the next emission of {@code event}, or of one that
     * was kept for late listeners (see <a href="#late-listeners">above</a>). It completes, on the emitter's
     * event sequence, with the emission's value ({@code null} for an event without one, the record of a
     * listener's arguments when it takes several); it fails with the error if {@code ERROR} comes first (as
     * Node's promise rejects), unless {@code event} is {@code ERROR} itself. It adds a once listener for
     * {@code event} and one for {@code ERROR}, removed as soon as the future completes in any way.
     *
     * <p>{@code get(timeout, unit)} on the returned future cancels it when the time runs out, so a caller that
     * gave up leaves no listener behind; {@code cancel}, {@code orTimeout} and {@code completeExceptionally}
     * remove them too.
     *
     * <pre>{@code
     * Server server = Net.createServer(c -> c.end("hi")).listen(0);
     * server.when(Server.LISTENING).get(5, TimeUnit.SECONDS);   // fails with EADDRINUSE, say, at once
     * }</pre>
     *
     * @param event the event key
     * @param <V>   the value one emission carries (see {@link Event.Valued})
     * @return a future of the event's value
     */
    <V extends @Nullable Object> CompletableFuture<V> when(Event.Valued<? super T, ?, V> event);
}
