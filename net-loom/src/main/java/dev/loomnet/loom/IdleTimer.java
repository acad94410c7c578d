package dev.loomnet.loom;

import dev.loomnet.net.Listener;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Socket;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A socket's idle timeout (Node's {@code setTimeout}): after the set time without activity (a read, a write that
 * moved bytes, a connect) it emits {@code TIMEOUT} on the socket's event sequence; the socket stays open. It
 * carries the timeout even when none is set, and joins the shared timer ({@link Timers}) only while armed.
 */
final class IdleTimer extends Timers.Timeout {

    private final LoomSocket socket;
    private volatile @Nullable Duration timeout;
    /** {@code lastActivity} when {@code TIMEOUT} was last posted, or 0: read at close time, never per read. */
    private volatile long expiredAfter;

    IdleTimer(LoomSocket socket) {
        this.socket = socket;
    }

    /** The checks of Node's {@code setTimeout}: a number, not negative. */
    static void check(@Nullable Duration timeout) {
        if (timeout == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"msecs\" argument must be of type number. Received null");
        }
        if (timeout.isNegative()) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE,
                    "The value of \"msecs\" is out of range. It must be a non-negative finite number. Received "
                            + timeout.toMillis());
        }
    }

    /** Sets the timeout; zero disarms it. {@code listener}, if any, becomes a once {@code TIMEOUT} listener. */
    void set(Duration value, @Nullable Listener listener) {
        timeout = value;
        if (value.isZero()) {
            Timers.cancel(this);
            if (listener != null) {
                socket.off(Socket.TIMEOUT, listener);
            }
        } else {
            Timers.arm(this, Timers.toNanos(value));
            if (listener != null) {
                socket.once(Socket.TIMEOUT, listener);
            }
        }
    }

    @Nullable Duration timeout() {
        return timeout;
    }

    void cancel() {
        Timers.cancel(this);
    }

    /** Whether {@code TIMEOUT} came and nothing moved since (a destroy now is the timeout's). */
    boolean idleSinceTimeout() {
        long at = expiredAfter;
        return at != 0 && at == lastActivity;
    }

    @Override
    void expired() {
        expiredAfter = lastActivity;
        socket.events.post(() -> {
            if (!socket.destroyed()) {
                socket.emit(Socket.TIMEOUT, Listener::handle);
            }
        });
    }
}
