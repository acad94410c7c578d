package dev.loomnet.net;

/**
 * A typed event key: the name of a Node event together with the emitter that emits it ({@code E}) and the
 * listener type it takes ({@code L}). The keys are constants of {@link Socket} and {@link Server}, such as
 * {@link Socket#DATA}; the type parameters make {@code socket.on(Socket.DATA, chunk -> ...)} compile without
 * casts and make {@code server.on(Socket.DATA, ...)} a compile error.
 *
 * <p>Keys are compared by identity. They are created only by this package.
 *
 * @param <E> the emitter type that emits this event
 * @param <L> the listener type this event calls
 */
@SuppressWarnings("UnusedTypeParameter" /* E and L are phantom types: only the compiler reads them */)
public final class Event<E, L> {

    private final String name;

    private Event(String name) {
        this.name = name;
    }

    static <E, L> Event<E, L> of(String name) {
        return new Event<>(name);
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
}
