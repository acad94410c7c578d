package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import org.jspecify.annotations.Nullable;

/** Node's argument validators that sockets and servers share. */
final class Validate {

    private Validate() {
    }

    /**
     * Node's {@code validateFunction}: a listener or callback argument of a public method must be given. In
     * Java a {@code null} one is a bug at the call site (the overload without it is the way to pass none), so it
     * is rejected there, before the method does anything.
     *
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for {@code null}
     */
    static <T> T function(@Nullable T value, String name) {
        if (value == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"" + name + "\" argument must be of type function. Received null");
        }
        return value;
    }

    /**
     * A value argument that must be given.
     *
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for {@code null}
     */
    static <T> T notNull(@Nullable T value, String name) {
        if (value == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"" + name + "\" argument must not be null. Received null");
        }
        return value;
    }
}
