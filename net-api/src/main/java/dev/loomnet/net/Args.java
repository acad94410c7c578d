package dev.loomnet.net;

import java.time.Duration;

/** Argument checks shared by the option types and {@link Net}, with Node's codes and messages. */
final class Args {

    private Args() {
    }

    /** Checks a port as Node's {@code validatePort} does, naming it {@code name} in the message. */
    static int port(int port, String name) {
        if (port < 0 || port > 65535) {
            throw new NetException(NetException.ERR_SOCKET_BAD_PORT,
                    name + " should be >= 0 and < 65536. Received type number (" + port + ").");
        }
        return port;
    }

    static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"" + name + "\" argument must not be null. Received null");
        }
        return value;
    }

    /**
     * Node's {@code validateFunction}: a listener or callback argument must be given; in Java a {@code null}
     * one is a bug at the call site, so it is rejected there.
     */
    static <T> T function(T value, String name) {
        if (value == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"" + name + "\" argument must be of type function. Received null");
        }
        return value;
    }

    /** Node's {@code hints} check: only {@code dns.lookup}'s ADDRCONFIG, V4MAPPED and ALL bits. */
    static int hints(int hints) {
        if ((hints & ~(Lookup.ADDRCONFIG | Lookup.V4MAPPED | Lookup.ALL)) != 0) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "The argument 'hints' is invalid. Received " + Integer.toUnsignedString(hints));
        }
        return hints;
    }

    static Duration nonNegative(Duration value, String name) {
        notNull(value, name);
        if (value.isNegative()) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE,
                    "The value of \"" + name + "\" is out of range. It must be >= 0. Received " + value);
        }
        return value;
    }

    /**
     * Node's {@code keepAliveInitialDelay} rule: a negative delay is taken as 0 (the system's delay), not
     * rejected. Node's Socket and Server constructors set {@code options.keepAliveInitialDelay} to 0 when it
     * is below 0 before turning it into seconds, so {@code -123000} ms gives {@code setKeepAlive(true, 0)}.
     */
    static Duration keepAliveInitialDelay(Duration value) {
        notNull(value, "keepAliveInitialDelay");
        return value.isNegative() ? Duration.ZERO : value;
    }

    /** Node's {@code autoSelectFamilyAttemptTimeout} rule: at least 1 ms, and below 10 ms means 10 ms. */
    static Duration attemptTimeout(Duration value) {
        notNull(value, "autoSelectFamilyAttemptTimeout");
        if (value.compareTo(Duration.ofMillis(1)) < 0) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE,
                    "The value of \"value\" is out of range. It must be >= 1. Received " + value.toMillis());
        }
        return value.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : value;
    }

    static int highWaterMark(int value) {
        if (value < 0) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE,
                    "The value of \"highWaterMark\" is out of range. It must be >= 0. Received " + value);
        }
        return value;
    }
}
