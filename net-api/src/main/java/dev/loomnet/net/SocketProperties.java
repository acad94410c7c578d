package dev.loomnet.net;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The read-only properties of a {@link Socket}: its addresses, byte counts and state, as Node's
 * {@code socket.remoteAddress}, {@code socket.bytesRead},
 * {@code socket.readyState} and the rest.
 */
public interface SocketProperties {

    /**
     * Returns the local address ({@code socket.address()}), or {@code null} when there is no connection.
     *
     * @return the bound address or {@code null}
     */
    @Nullable AddressInfo address();

    /**
     * Returns the peer's IP address as Node prints it, or {@code null} while not connected.
     *
     * @return e.g. {@code 127.0.0.1}, {@code ::1}, {@code ::ffff:127.0.0.1}; the path for a Unix socket
     */
    @Nullable String remoteAddress();

    /**
     * Returns the peer's family, {@code IPv4} or {@code IPv6}, or {@code null} while not connected.
     *
     * @return the family or {@code null}
     */
    @Nullable String remoteFamily();

    /**
     * Returns the peer's port, or 0 while not connected (Node: {@code undefined}) and for Unix sockets.
     *
     * @return the port or 0
     */
    int remotePort();

    /**
     * Returns the local IP address, or {@code null} while not connected.
     *
     * @return the address or {@code null}
     */
    @Nullable String localAddress();

    /**
     * Returns the local port, or 0 while not connected.
     *
     * @return the port or 0
     */
    int localPort();

    /**
     * Returns the local family, {@code IPv4} or {@code IPv6}, or {@code null} while not connected.
     *
     * @return the family or {@code null}
     */
    @Nullable String localFamily();

    /**
     * Returns the bytes received on the current connection ({@code socket.bytesRead}); kept after close,
     * restarted by a new {@link Socket#connect}.
     *
     * @return bytes read
     */
    long bytesRead();

    /**
     * Returns the bytes written on the current connection, counting queued bytes too
     * ({@code socket.bytesWritten}).
     *
     * @return bytes accepted by {@code write} and {@code end}
     */
    long bytesWritten();

    /**
     * Returns the bytes queued and not yet handed to the kernel ({@code socket.writableLength}).
     *
     * @return queued bytes
     */
    long writableLength();

    /**
     * Returns the bytes queued and not yet handed to the kernel ({@code socket.bufferSize}, deprecated in
     * Node in favour of {@code writableLength}).
     *
     * @return queued bytes
     */
    default long bufferSize() {
        return writableLength();
    }

    /**
     * Returns Node's {@code readyState}.
     *
     * @return the state
     */
    ReadyState readyState();

    /**
     * Returns whether {@link Socket#connect} was called and {@link Socket#CONNECT} has not been emitted yet
     * ({@code socket.connecting}): true from {@code connect} until just before {@code CONNECT}, even once the
     * TCP handshake is done.
     *
     * @return {@code true} while connecting
     */
    boolean connecting();

    /**
     * Returns whether the socket has no established connection: before connect, while connecting, and after
     * close ({@code socket.pending}).
     *
     * @return {@code true} when pending
     */
    boolean pending();

    /**
     * Returns whether the socket was destroyed ({@code socket.destroyed}).
     *
     * @return {@code true} after destroy or close
     */
    boolean destroyed();

    /**
     * Returns whether the socket can still emit data ({@code socket.readable}).
     *
     * @return {@code false} after {@link Socket#END} or destroy
     */
    boolean readable();

    /**
     * Returns whether {@code write} is still allowed ({@code socket.writable}).
     *
     * @return {@code false} after {@link Socket#end()} or destroy
     */
    boolean writable();

    /**
     * Returns whether data flows ({@code socket.readableFlowing}): {@code null} until a {@link Socket#DATA} or
     * {@link Socket#TEXT} listener, {@link Socket#resume()} or a pipe starts it, then {@code true}, and
     * {@code false} after {@link Socket#pause()} or the last {@link Socket#unpipe()}.
     *
     * @return the flowing state, or {@code null} when nothing asked for data yet
     */
    @Nullable Boolean readableFlowing();

    /**
     * Returns whether {@link Socket#END} was emitted ({@code socket.readableEnded}).
     *
     * @return {@code true} from {@code END} on
     */
    boolean readableEnded();

    /**
     * Returns whether {@link Socket#end()} was called on this connection ({@code socket.writableEnded}).
     *
     * @return {@code true} from {@code end()} on, even before the queued bytes left
     */
    boolean writableEnded();

    /**
     * Returns whether {@link Socket#FINISH} was emitted ({@code socket.writableFinished}): every queued byte
     * left and the FIN was sent.
     *
     * @return {@code true} from {@code FINISH} on
     */
    boolean writableFinished();

    /**
     * Returns the error this socket was destroyed with ({@code socket.errored}), the one {@link Socket#ERROR}
     * carries; kept after {@link Socket#CLOSE}, cleared by a new {@link Socket#connect}.
     *
     * @return the error, or {@code null} when the socket is not destroyed or was destroyed without one
     */
    @Nullable Throwable errored();

    /**
     * Returns whether the socket is closed ({@code socket.closed}): as in Node, from the destroy on, before
     * {@link Socket#ERROR} and {@link Socket#CLOSE} are emitted, so always the same as {@link #destroyed()};
     * false again once the socket connects anew.
     *
     * @return {@code true} once destroyed
     */
    default boolean closed() {
        return destroyed();
    }

    /**
     * Returns whether a {@code write} returned {@code false} and {@link Socket#DRAIN} has not come yet
     * ({@code socket.writableNeedDrain}).
     *
     * @return {@code true} while a drain is owed
     */
    boolean writableNeedDrain();

    /**
     * Returns how many {@link Socket#cork()} calls await their {@link Socket#uncork()}
     * ({@code socket.writableCorked}).
     *
     * @return the cork depth, 0 when not corked
     */
    int writableCorked();

    /**
     * Returns the queue size at which {@code write} starts returning {@code false}
     * ({@code socket.writableHighWaterMark}), set by the {@code highWaterMark} option.
     *
     * @return the high-water mark in bytes
     */
    int writableHighWaterMark();

    /**
     * Returns whether this socket keeps its writable side open after the peer ends ({@code allowHalfOpen}).
     *
     * @return the option in force
     */
    boolean allowHalfOpen();

    /**
     * Returns the addresses tried by {@code autoSelectFamily}, as {@code "ip:port"} strings, in order
     * ({@code socket.autoSelectFamilyAttemptedAddresses}); empty unless more than one address was tried.
     *
     * @return the attempted addresses
     */
    List<String> autoSelectFamilyAttemptedAddresses();

    /**
     * Returns the server that accepted this socket ({@code socket.server}), or {@code null} for a client.
     *
     * @return the server or {@code null}
     */
    @Nullable Server server();
}
