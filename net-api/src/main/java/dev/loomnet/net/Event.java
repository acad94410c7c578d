package dev.loomnet.net;

import org.jspecify.annotations.Nullable;

/**
 * A typed event key: the name of a Node event together with the emitter that emits it ({@code E}) and the
 * listener type it takes ({@code L}). The keys are constants of {@link Socket} and {@link Server}, such as
 * {@link Socket#DATA}; the type parameters make {@code socket.on(Socket.DATA, chunk -> ...)} compile without
 * casts and make {@code server.on(Socket.DATA, ...)} a compile error.
 *
 * <p>Every key is an {@link Valued}, which also names the value one emission carries, so that
 * {@link EventEmitter#when} returns a future of the right type. Keys are compared by identity. They are
 * created only by this package.
 *
 * @param <E> the emitter type that emits this event
 * @param <L> the listener type this event calls
 */
@SuppressWarnings("UnusedTypeParameter" /* E and L are phantom types: only the compiler reads them */)
public abstract sealed class Event<E, L> permits Event.Valued {

    private final String name;

    private Event(String name) {
        this.name = name;
    }

    static <E, L, V extends @Nullable Object> Valued<E, L, V> of(String name) {
        return new Valued<>(name);
    }

    /**
     * Returns Node's name of the event, e.g. {@code "data"}.
     *
     * @return the event name
     */
    public String name() {
        return name;
    }

    /**
     * Returns Node's name of the event.
     *
     * @return the event name
     */
    @Override
    public String toString() {
        return name;
    }

    /**
     * An event key with the type of the value one emission carries ({@code V}): the listener's argument, a
     * record of its arguments when it takes several ({@link LookupListener.Result},
     * {@link AttemptListener.Attempt}), or {@link Void} when it takes none. {@code Socket.CLOSE} is a
     * {@code Valued<Socket, CloseListener, Boolean>}, so {@code socket.when(Socket.CLOSE)} is a
     * {@code CompletableFuture<Boolean>}.
     *
     * @param <E> the emitter type that emits this event
     * @param <L> the listener type this event calls
     * @param <V> the value of one emission
     */
    public static final class Valued<E, L, V extends @Nullable Object> extends Event<E, L> {

        private Valued(String name) {
            super(name);
        }
    }
}
