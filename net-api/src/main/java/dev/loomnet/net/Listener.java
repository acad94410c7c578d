package dev.loomnet.net;

/**
 * A listener of an event that carries no value, such as {@link Socket#CONNECT}, {@link Socket#END} or
 * {@link Server#LISTENING}. A listener may block and may throw; what a throw does is documented on the
 * emitter ({@link Socket}: the socket is destroyed with the exception).
 */
@FunctionalInterface
public interface Listener {

    /**
     * Handles the event.
     *
     * @throws Exception anything; the emitter's documentation says where it goes
     */
    void handle() throws Exception;
}
