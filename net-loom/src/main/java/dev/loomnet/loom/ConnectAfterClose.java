package dev.loomnet.loom;

/**
 * A {@code connect} called on a socket that was destroyed and has not emitted its {@code close} yet, waiting to
 * run right after that {@code close}.
 *
 * <p>Node's {@code connect} on a destroyed socket revives it at once ({@code _undestroy}) and connects, while
 * the destroy's {@code 'error'} and {@code 'close'} are still emitted first. loomnet cannot revive the socket
 * before those events ran (they belong to the old connection's state, which a reconnect resets), so it runs the
 * {@code connect} then. Throwing until then would make the outcome depend on whether the event thread had
 * emitted {@code close} yet, which a caller on another thread cannot know: a write before {@code connect}
 * (which destroys the socket with {@code ERR_SOCKET_CLOSED}, as in Node) followed by {@code connect} would
 * throw in one run and reconnect in the next.
 *
 * <p>It keeps the JVM alive from the call until the {@code connect} ran, as the connect itself would.
 */
final class ConnectAfterClose {

    private final Runnable connect;
    private final Lifetime.Ref lifetime = new Lifetime.Ref();

    ConnectAfterClose(Runnable connect) {
        this.connect = connect;
        lifetime.activate();
    }

    /** Runs the {@code connect}, on the socket's event thread, once its {@code close} listeners ran. */
    void run() {
        try {
            connect.run();
        } finally {
            lifetime.deactivate();
        }
    }

    /** The socket was destroyed again before its {@code close}: the {@code connect} never runs. */
    void cancel() {
        lifetime.deactivate();
    }
}
