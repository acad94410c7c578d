package dev.loomnet.net;

import org.jspecify.annotations.Nullable;

/**
 * The one exception type of loomnet: an unchecked error carrying Node's error {@link #code()} (such as
 * {@code ECONNREFUSED} or {@code ERR_SOCKET_BAD_PORT}) and, for system errors, the {@link #syscall()},
 * {@link #address()} and {@link #port()} Node reports. The message is Node's message, e.g.
 * {@code connect ECONNREFUSED 127.0.0.1:8080}; the original {@link java.io.IOException}, if any, is the cause.
 *
 * <p>Thrown at the call for wrong arguments ({@code ERR_SOCKET_BAD_PORT}, {@code ERR_INVALID_ARG_VALUE},
 * {@code ERR_SERVER_ALREADY_LISTEN}, ...); delivered to {@link Socket#ERROR}, {@link Server#ERROR} or a
 * {@link Callback} for failures that happen later.
 */
public class NetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Connection refused by the peer. */
    public static final String ECONNREFUSED = "ECONNREFUSED";
    /** Connection reset by the peer (RST). */
    public static final String ECONNRESET = "ECONNRESET";
    /** Writing to a connection the peer has closed. */
    public static final String EPIPE = "EPIPE";
    /** Address (port or path) already in use. */
    public static final String EADDRINUSE = "EADDRINUSE";
    /** The address cannot be assigned on this machine. */
    public static final String EADDRNOTAVAIL = "EADDRNOTAVAIL";
    /** Permission denied (privileged port, socket file mode). */
    public static final String EACCES = "EACCES";
    /** No such file: connecting to a Unix socket path that does not exist. */
    public static final String ENOENT = "ENOENT";
    /** Host name not found. */
    public static final String ENOTFOUND = "ENOTFOUND";
    /** An operation timed out. */
    public static final String ETIMEDOUT = "ETIMEDOUT";
    /** The network or host is unreachable. */
    public static final String ENETUNREACH = "ENETUNREACH";
    /** The host is unreachable. */
    public static final String EHOSTUNREACH = "EHOSTUNREACH";
    /** Invalid argument at the system level. */
    public static final String EINVAL = "EINVAL";
    /** The descriptor is not a socket. */
    public static final String ENOTSOCK = "ENOTSOCK";
    /** The process has no descriptor left (its open-file limit): {@code accept}, {@code connect}. */
    public static final String EMFILE = "EMFILE";
    /** The system has no descriptor left (its open-file table is full). */
    public static final String ENFILE = "ENFILE";
    /** A port outside 0..65535. */
    public static final String ERR_SOCKET_BAD_PORT = "ERR_SOCKET_BAD_PORT";
    /** An argument of the wrong type (in Java: a null where a value is required). */
    public static final String ERR_INVALID_ARG_TYPE = "ERR_INVALID_ARG_TYPE";
    /** An argument of the right type with a value that is not allowed. */
    public static final String ERR_INVALID_ARG_VALUE = "ERR_INVALID_ARG_VALUE";
    /** A number outside its allowed range. */
    public static final String ERR_OUT_OF_RANGE = "ERR_OUT_OF_RANGE";
    /** {@code connect} without port or path. */
    public static final String ERR_MISSING_ARGS = "ERR_MISSING_ARGS";
    /** {@code listen} on a server that is already listening. */
    public static final String ERR_SERVER_ALREADY_LISTEN = "ERR_SERVER_ALREADY_LISTEN";
    /** {@code close} on a server that is not listening. */
    public static final String ERR_SERVER_NOT_RUNNING = "ERR_SERVER_NOT_RUNNING";
    /** {@code write} after {@code end}. */
    public static final String ERR_STREAM_WRITE_AFTER_END = "ERR_STREAM_WRITE_AFTER_END";
    /** {@code write} after {@code destroy}. */
    public static final String ERR_STREAM_DESTROYED = "ERR_STREAM_DESTROYED";
    /** {@code end(callback)} on a socket that already finished (its callback gets it; nothing is emitted). */
    public static final String ERR_STREAM_ALREADY_FINISHED = "ERR_STREAM_ALREADY_FINISHED";
    /** {@code write(null)}. */
    public static final String ERR_STREAM_NULL_VALUES = "ERR_STREAM_NULL_VALUES";
    /** An operation that needs an open socket on a socket that has none. */
    public static final String ERR_SOCKET_CLOSED = "ERR_SOCKET_CLOSED";
    /** A write queued while connecting, on a socket that closed before it connected. */
    public static final String ERR_SOCKET_CLOSED_BEFORE_CONNECTION = "ERR_SOCKET_CLOSED_BEFORE_CONNECTION";
    /** A string that is not an IP address where one is required. */
    public static final String ERR_INVALID_IP_ADDRESS = "ERR_INVALID_IP_ADDRESS";
    /** An operation not supported by the kind of handle (for example a reset on a Unix socket). */
    public static final String ERR_INVALID_HANDLE_TYPE = "ERR_INVALID_HANDLE_TYPE";
    /** A connect to an address the socket's {@code blockList} blocks. */
    public static final String ERR_IP_BLOCKED = "ERR_IP_BLOCKED";
    /** Every {@code autoSelectFamily} attempt timed out. */
    public static final String ERR_SOCKET_CONNECTION_TIMEOUT = "ERR_SOCKET_CONNECTION_TIMEOUT";
    /** A lookup answered a family other than 4 or 6. */
    public static final String ERR_INVALID_ADDRESS_FAMILY = "ERR_INVALID_ADDRESS_FAMILY";
    /** An operation that the object's current state does not allow (e.g. connecting a connected socket). */
    public static final String ERR_INVALID_STATE = "ERR_INVALID_STATE";
    /** An operation stopped by an {@link AbortSignal} (Node's {@code AbortError}). */
    public static final String ABORT_ERR = "ABORT_ERR";
    /** The reason of an {@link AbortSignal#timeout} signal (Node's {@code TimeoutError}). */
    public static final String TIMEOUT_ERR = "TIMEOUT_ERR";
    /** An encoding name that Node does not know, e.g. in {@code setEncoding} or {@code write}. */
    public static final String ERR_UNKNOWN_ENCODING = "ERR_UNKNOWN_ENCODING";
    /** The connection's thread was interrupted, which closed its channel (a Java-only code). */
    public static final String ERR_SOCKET_INTERRUPTED = "ERR_SOCKET_INTERRUPTED";

    /** Node's error code. */
    private final String code;
    /** The failed system call, or null. */
    private final @Nullable String syscall;
    /** The address involved, or null. */
    private final @Nullable String address;
    /** The port involved, or 0. */
    private final int port;

    /**
     * Creates an error with a code and a message, as Node's {@code ERR_*} errors.
     *
     * @param code    Node's error code
     * @param message Node's message text
     */
    public NetException(String code, String message) {
        this(code, message, null, null, 0, null);
    }

    /**
     * Creates a system error in Node's shape.
     *
     * @param code    Node's error code, e.g. {@code ECONNREFUSED}
     * @param message the full message, e.g. {@code connect ECONNREFUSED 127.0.0.1:80}
     * @param syscall the system call that failed ({@code connect}, {@code listen}, {@code read},
     *                {@code write}, ...), or {@code null}
     * @param address the address involved (IP text or Unix socket path), or {@code null}
     * @param port    the port involved, or 0 when there is none
     * @param cause   the underlying exception, or {@code null}
     */
    public NetException(String code, String message, @Nullable String syscall, @Nullable String address,
                        int port, @Nullable Throwable cause) {
        super(message, cause);
        this.code = code;
        this.syscall = syscall;
        this.address = address;
        this.port = port;
    }

    /**
     * Returns Node's error code, e.g. {@code ECONNRESET} or {@code ERR_STREAM_WRITE_AFTER_END}.
     *
     * @return the code
     */
    public String code() {
        return code;
    }

    /**
     * Returns the system call that failed, as Node names it, or {@code null} for errors that are not system
     * errors.
     *
     * @return the syscall or {@code null}
     */
    public @Nullable String syscall() {
        return syscall;
    }

    /**
     * Returns the address involved in a system error (IP text or Unix socket path), or {@code null}.
     *
     * @return the address or {@code null}
     */
    public @Nullable String address() {
        return address;
    }

    /**
     * Returns the port involved in a system error, or 0 when Node reports none.
     *
     * @return the port or 0
     */
    public int port() {
        return port;
    }
}
