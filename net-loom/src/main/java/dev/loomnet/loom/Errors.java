package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Turns the JDK's {@link IOException}s into {@link NetException}s with Node's code, syscall and message.
 * The JDK does not expose errno, so the code comes from the exception type and the system message text
 * (which on Linux is {@code strerror}).
 */
final class Errors {

    /** The code of a failure the JDK reports in words loomnet does not know, as Node's unmapped errno. */
    static final String UNKNOWN = "UNKNOWN";

    private Errors() {
    }

    /** Node's code for an I/O failure. */
    static String code(Throwable e) {
        if (e instanceof NetException ne) {
            return ne.code();
        }
        if (e instanceof ClosedByInterruptException) {
            return NetException.ERR_SOCKET_INTERRUPTED;
        }
        if (e instanceof UnknownHostException) {
            return NetException.ENOTFOUND;
        }
        if (e instanceof NoSuchFileException) {
            return NetException.ENOENT;
        }
        if (e instanceof AccessDeniedException) {
            return NetException.EACCES;
        }
        if (e instanceof java.nio.channels.UnsupportedAddressTypeException) {
            return NetException.EINVAL;                   // e.g. binding an IPv6 address to an IPv4 socket
        }
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (m.contains("connection refused")) {
            return NetException.ECONNREFUSED;
        }
        if (m.contains("connection reset")) {
            return NetException.ECONNRESET;
        }
        if (m.contains("broken pipe")) {
            return NetException.EPIPE;
        }
        if (m.contains("address already in use")) {
            return NetException.EADDRINUSE;
        }
        if (m.contains("cannot assign requested address")) {
            return NetException.EADDRNOTAVAIL;
        }
        if (m.contains("permission denied")) {
            return NetException.EACCES;
        }
        if (m.contains("no such file")) {
            return NetException.ENOENT;
        }
        if (m.contains("timed out")) {
            return NetException.ETIMEDOUT;
        }
        if (m.contains("network is unreachable")) {
            return NetException.ENETUNREACH;
        }
        if (m.contains("no route to host")) {
            return NetException.EHOSTUNREACH;
        }
        if (m.contains("socket operation on non-socket")) {
            return NetException.ENOTSOCK;
        }
        if (m.contains("too many open files in system")) {
            return NetException.ENFILE;                   // before EMFILE: its message contains EMFILE's
        }
        if (m.contains("too many open files")) {
            return NetException.EMFILE;
        }
        if (m.contains("invalid argument")) {
            return NetException.EINVAL;
        }
        if (m.contains("path too long")) {
            return NetException.EINVAL;                   // Node binds and connects Unix paths untruncated: EINVAL
        }
        return UNKNOWN;
    }

    /**
     * Node's message for a failure with {@code code}; for {@code UNKNOWN}, which names no cause, followed by the
     * JDK's own message in parentheses, so that it still says what went wrong.
     */
    private static String message(String nodeMessage, String code, Exception e) {
        return code.equals(UNKNOWN) && e.getMessage() != null ? nodeMessage + " (" + e.getMessage() + ")"
                : nodeMessage;
    }

    /** libuv's description, used in listen errors: {@code listen EADDRINUSE: address already in use :::80}. */
    private static String description(String code) {
        return switch (code) {
            case NetException.EADDRINUSE -> "address already in use";
            case NetException.EACCES -> "permission denied";
            case NetException.EADDRNOTAVAIL -> "address not available";
            case NetException.ENOENT -> "no such file or directory";
            case NetException.EINVAL -> "invalid argument";
            case NetException.ENOTSOCK -> "socket operation on non-socket";
            default -> "unknown error";
        };
    }

    /** {@code connect ECONNREFUSED 127.0.0.1:80} */
    static NetException connect(IOException e, SocketAddress target) {
        String code = code(e);
        String where = Addresses.describe(target);
        return new NetException(code, message("connect " + code + " " + where, code, e), "connect",
                host(where, target), port(target), e);
    }

    /** {@code listen EADDRINUSE: address already in use :::80} */
    static NetException listen(IOException e, String address, int port) {
        String code = code(e);
        String where = port > 0 || !address.startsWith("/") ? address + ":" + port : address;
        return new NetException(code, message("listen " + code + ": " + description(code) + " " + where, code, e),
                "listen", address, port, e);
    }

    /** {@code bind EADDRINUSE 127.0.0.1:5000}, {@code bind EINVAL ::1}: a client's local bind failed. */
    static NetException bind(Exception e, String address, int port) {
        String code = code(e);
        String where = port > 0 ? address + ":" + port : address;
        return new NetException(code, message("bind " + code + " " + where, code, e), "bind", address, port, e);
    }

    /** {@code read ECONNRESET}, {@code write EPIPE} */
    static NetException io(IOException e, String syscall) {
        String code = code(e);
        return new NetException(code, message(syscall + " " + code, code, e), syscall, null, 0, e);
    }

    /** {@code getaddrinfo ENOTFOUND host} */
    static NetException lookup(IOException e, String host) {
        String code = NetException.ENOTFOUND;
        return new NetException(code, "getaddrinfo " + code + " " + host, "getaddrinfo", null, 0, e);
    }

    /** Node's error for {@code end(callback)} on a stream that already finished. */
    static NetException alreadyFinished() {
        return new NetException(NetException.ERR_STREAM_ALREADY_FINISHED, "Cannot call end after a stream was finished");
    }

    /** Node's {@code ERR_STREAM_DESTROYED} for {@code end(callback)} on a destroyed stream. */
    static NetException endAfterDestroy() {
        return new NetException(NetException.ERR_STREAM_DESTROYED, "Cannot call end after a stream was destroyed");
    }

    static NetException streamDestroyed() {
        return new NetException(NetException.ERR_STREAM_DESTROYED, "Cannot call write after a stream was destroyed");
    }

    static NetException writeAfterEnd() {
        return new NetException(NetException.ERR_STREAM_WRITE_AFTER_END, "write after end");
    }

    /** Node's {@code writeAfterFIN}: a write once both sides ended on a socket that does not allow half-open. */
    static NetException endedByPeer() {
        return new NetException(NetException.EPIPE, "This socket has been ended by the other party");
    }

    static NetException closedBeforeConnection() {
        return new NetException(NetException.ERR_SOCKET_CLOSED_BEFORE_CONNECTION,
                "Socket closed before the connection was established");
    }

    static NetException socketClosed() {
        return new NetException(NetException.ERR_SOCKET_CLOSED, "Socket is closed");
    }

    private static @Nullable String host(String where, SocketAddress target) {
        if (target instanceof java.net.InetSocketAddress inet) {
            return inet.getAddress() == null ? inet.getHostString()
                    : Addresses.text(inet.getAddress(), false);
        }
        return where;
    }

    private static int port(SocketAddress target) {
        return target instanceof java.net.InetSocketAddress inet ? inet.getPort() : 0;
    }
}
