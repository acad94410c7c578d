package dev.loomnet.net;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Node's {@code net.Socket}: one TCP or Unix domain socket connection, as a duplex stream with Node's events.
 *
 * <h2>Threads and order</h2>
 * Each connection has its own virtual thread, which connects, then reads in a loop and emits this socket's
 * events. Events of one socket are delivered one at a time, never concurrently, in Node's order
 * ({@code CONNECT, READY, DATA..., END, FINISH, CLOSE}, with {@code ERROR} just before {@code CLOSE(true)}),
 * and each listener happens-before the next. A listener may block: that delays this socket only. Events that
 * an API call causes (for example the {@code ERROR} of a write after {@link #end()}) are never emitted inside
 * the call: they are queued, and a call made inside a listener sees them after that listener returns (Node's
 * next tick). A socket created inside a listener of another loomnet emitter emits nothing before that
 * listener returns.
 *
 * <p>A socket created and connected from a plain thread (for example {@code main}) may emit its first events
 * at once: attach listeners before {@link #connect}, as in {@code Net.socket().on(...).connect(port)}, or
 * pass the connect listener to the factory. {@link #DATA} is safe either way: like a Node stream, the socket
 * emits no {@code DATA} until a {@code DATA} listener is added or {@link #resume()} is called, and a client
 * reads nothing before then. An accepted socket reads ahead once its {@code CONNECTION} listeners returned
 * (one read, as Node reads into its buffer once connected): those bytes are its first chunk, and a peer's FIN
 * with nothing unread emits {@link #END} even if nobody reads it, so that it can close.
 *
 * <h2>Errors</h2>
 * A listener that throws destroys this socket with what it threw: {@code ERROR} (with that exception), then
 * {@code CLOSE(true)}. Other sockets and the server carry on. An {@code ERROR} with no listener goes to the
 * uncaught exception handler of the thread that emits it, and the socket still closes.
 *
 * <p>A listener or callback argument is never optional: to pass none, call the overload without it. A
 * {@code null} one is a bug at the call site and throws {@code ERR_INVALID_ARG_TYPE} there, before the method
 * does anything (no connect starts, no write is queued).
 *
 * <h2>Writing</h2>
 * {@link #write(byte[])} never blocks: it queues the bytes, which the socket's own machinery writes in
 * order, and returns {@code false} once the queue reaches the high-water mark; {@link #DRAIN} follows when
 * the queue has emptied.
 */
public interface Socket extends EventEmitter<Socket>, Writable, SocketProperties, SocketStreams, SocketText {

    /** Emitted after a host name was resolved, before connecting; not for IP literals or paths ({@code 'lookup'}). */
    Event.Valued<Socket, LookupListener, LookupListener.Result> LOOKUP = Event.of("lookup");
    /** Emitted before each connect attempt to one address ({@code 'connectionAttempt'}). */
    Event.Valued<Socket, AttemptListener, AttemptListener.Attempt> CONNECTION_ATTEMPT = Event.of("connectionAttempt");
    /** Emitted after a connect attempt failed, before the next one or the final error ({@code 'connectionAttemptFailed'}). */
    Event.Valued<Socket, AttemptListener, AttemptListener.Attempt> CONNECTION_ATTEMPT_FAILED = Event.of("connectionAttemptFailed");
    /** Emitted when an attempt of {@code autoSelectFamily} timed out and the next address is tried ({@code 'connectionAttemptTimeout'}). */
    Event.Valued<Socket, AttemptListener, AttemptListener.Attempt> CONNECTION_ATTEMPT_TIMEOUT = Event.of("connectionAttemptTimeout");
    /** Emitted when the connection is established ({@code 'connect'}). */
    Event.Valued<Socket, Listener, @Nullable Void> CONNECT = Event.of("connect");
    /** Emitted right after {@link #CONNECT} ({@code 'ready'}). */
    Event.Valued<Socket, Listener, @Nullable Void> READY = Event.of("ready");
    /** Emitted for each chunk read ({@code 'data'}); adding a listener starts the flow of data. */
    Event.Valued<Socket, DataListener, byte[]> DATA = Event.of("data");
    /**
     * Emitted for each chunk read, decoded as text with {@link #encoding()} (default UTF-8); adding a listener
     * starts the flow of data, like {@link #DATA}. Node's {@code setEncoding} changes the type of its
     * {@code 'data'} payload; loomnet keeps events typed instead, with one event for bytes and one for text.
     */
    Event.Valued<Socket, TextListener, String> TEXT = Event.of("text");
    /** Emitted once when the peer ended its side (FIN) and every chunk before it was emitted ({@code 'end'}). */
    Event.Valued<Socket, Listener, @Nullable Void> END = Event.of("end");
    /** Emitted once after a {@code write} returned {@code false} and the queue then emptied ({@code 'drain'}). */
    Event.Valued<Socket, Listener, @Nullable Void> DRAIN = Event.of("drain");
    /**
     * Emitted when {@link #end()} flushed every queued byte and sent FIN ({@code 'finish'}); at once, with no FIN,
     * for an {@code end()} before {@link #connect} (there is nothing to shut down yet).
     */
    Event.Valued<Socket, Listener, @Nullable Void> FINISH = Event.of("finish");
    /** Emitted after the idle time set by {@link #setTimeout(Duration)}; the socket stays open ({@code 'timeout'}). */
    Event.Valued<Socket, Listener, @Nullable Void> TIMEOUT = Event.of("timeout");
    /** Emitted at most once, when the socket is destroyed by an error; {@link #CLOSE} follows ({@code 'error'}). */
    Event.Valued<Socket, ErrorListener, Throwable> ERROR = Event.of("error");
    /** Emitted once when the socket is fully closed ({@code 'close'}), with {@code hadError}. */
    Event.Valued<Socket, CloseListener, Boolean> CLOSE = Event.of("close");

    /**
     * Connects to a TCP port on {@value ConnectOptions#DEFAULT_HOST} ({@code socket.connect(port)}).
     *
     * @param port 0..65535
     * @return this socket
     * @throws NetException {@code ERR_SOCKET_BAD_PORT} for a bad port
     */
    Socket connect(int port);

    /**
     * Connects to a TCP port on a host ({@code socket.connect(port, host)}).
     *
     * @param port 0..65535
     * @param host a host name or IP literal
     * @return this socket
     * @throws NetException {@code ERR_SOCKET_BAD_PORT} for a bad port
     */
    Socket connect(int port, String host);

    /**
     * Connects to a TCP port on a host; {@code connectListener} is added as a once listener of {@link #CONNECT}.
     *
     * @param port            0..65535
     * @param host            a host name or IP literal
     * @param connectListener runs once connected
     * @return this socket
     * @throws NetException {@code ERR_SOCKET_BAD_PORT} for a bad port
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code connectListener} is {@code null}
     */
    Socket connect(int port, String host, Listener connectListener);

    /**
     * Connects to a Unix domain socket ({@code socket.connect(path)}).
     *
     * @param path the socket file
     * @return this socket
     */
    Socket connect(Path path);

    /**
     * Connects to a Unix domain socket; {@code connectListener} is added as a once listener of {@link #CONNECT}.
     *
     * @param path            the socket file
     * @param connectListener runs once connected
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code connectListener} is {@code null}
     */
    Socket connect(Path path, Listener connectListener);

    /**
     * Connects as the options say ({@code socket.connect(options)}). The socket-level part of the options
     * ({@code allowHalfOpen}, ...) applies only when the socket was made by {@link Net#connect(ConnectOptions)};
     * here, the socket keeps the options it was created with.
     *
     * <p>A socket that was closed may connect again; every {@code connect} overload follows this rule. As in
     * Node (whose {@code connect} revives a destroyed socket), a {@code connect} on a socket that was destroyed
     * but has not emitted its {@link #CLOSE} yet does not throw: the new connection starts right after that
     * {@code CLOSE} (and its {@code ERROR}, if any), whether or not the event thread got there before the call.
     * So {@code Net.socket(); write(x); connect(...)} always gives the write's {@code ERR_SOCKET_CLOSED} (to
     * its callback, then {@code ERROR}), {@code CLOSE(true)}, then {@code CONNECT} of the new connection.
     * (Node, within one tick, lets the write's deferred destroy cancel that connect instead; loomnet destroys
     * the socket inside {@code write}, as there is no tick to wait for, so the later {@code connect} is the one
     * that counts.) Until it starts, {@link #connecting()} is {@code true}, {@link #destroyed()} is still
     * {@code true} and writes fail as on the destroyed socket; a {@link #destroy()} cancels it.
     *
     * @param options where to connect
     * @return this socket
     * @throws NetException {@code ERR_INVALID_STATE} if the socket is connecting (a {@code connect} waiting for
     *                      the {@code CLOSE} included) or connected; {@code ERR_MISSING_ARGS} for {@code null}
     */
    Socket connect(ConnectOptions options);

    /**
     * Connects as the options say; {@code connectListener} is added as a once listener of {@link #CONNECT}.
     *
     * @param options         where to connect
     * @param connectListener runs once connected
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code connectListener} is {@code null}
     */
    Socket connect(ConnectOptions options, Listener connectListener);

    /**
     * Queues bytes for writing ({@code socket.write(buffer)}). Never blocks. Writes made while connecting wait
     * for the connection; as in Node, a write before {@link #connect} was called has nowhere to go: it fails
     * with {@code ERR_SOCKET_CLOSED} and destroys the socket (unless {@link #cork() corked}: corked chunks wait
     * for {@code connect}, and fail the same way if the last {@link #uncork()} or {@link #end()} comes first).
     *
     * @param data the bytes; as in Node the array is not copied, so do not change it until its callback ran
     * @return {@code false} once the queued bytes reached the high-water mark (wait for {@link #DRAIN}), or
     *         when the socket can no longer write
     * @throws NetException {@code ERR_STREAM_NULL_VALUES} for {@code null}
     */
    @Override
    boolean write(byte[] data);

    /**
     * Queues bytes for writing; {@code callback} runs once they were handed to the kernel, or with the error if
     * the socket failed first ({@code ERR_STREAM_WRITE_AFTER_END} after {@link #end()},
     * {@code ERR_STREAM_DESTROYED} after {@link #destroy()}, {@code ERR_SOCKET_CLOSED} before {@link #connect},
     * {@code ERR_SOCKET_CLOSED_BEFORE_CONNECTION} if the socket closes while connecting).
     *
     * @param data     the bytes; not copied (do not change them until {@code callback} ran)
     * @param callback completion callback, in write order
     * @return as {@link #write(byte[])}
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    boolean write(byte[] data, Callback callback);

    /**
     * Queues a string in the default encoding, UTF-8 unless {@link #setDefaultEncoding(String)} changed it.
     *
     * @param data the text
     * @return as {@link #write(byte[])}
     */
    boolean write(String data);

    /**
     * Queues a string in the default encoding, with a completion callback.
     *
     * @param data     the text
     * @param callback completion callback
     * @return as {@link #write(byte[])}
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    boolean write(String data, Callback callback);

    /**
     * Queues a string in the given charset.
     *
     * @param data    the text
     * @param charset its encoding
     * @return as {@link #write(byte[])}
     */
    boolean write(String data, Charset charset);

    /**
     * Queues a string in the given charset, with a completion callback.
     *
     * @param data     the text
     * @param charset  its encoding
     * @param callback completion callback
     * @return as {@link #write(byte[])}
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    boolean write(String data, Charset charset, Callback callback);

    /**
     * Queues a string in the encoding Node calls {@code encoding} ({@code socket.write(data, encoding)}), e.g.
     * {@code "hex"}, {@code "base64"} or {@code "UTF-8"}: see {@link Encoding#of(String)}.
     *
     * @param data     the text
     * @param encoding Node's name of its encoding
     * @return as {@link #write(byte[])}
     * @throws NetException {@code ERR_UNKNOWN_ENCODING} for a name Node does not know; nothing is queued
     */
    default boolean write(String data, String encoding) {
        return write(data, Encoding.of(encoding).charset());
    }

    /**
     * As {@link #write(String, String)}, with a completion callback.
     *
     * @param data     the text
     * @param encoding Node's name of its encoding
     * @param callback completion callback
     * @return as {@link #write(byte[])}
     * @throws NetException {@code ERR_UNKNOWN_ENCODING} or {@code ERR_INVALID_ARG_TYPE}, as the methods above
     */
    default boolean write(String data, String encoding, Callback callback) {
        return write(data, Encoding.of(encoding).charset(), callback);
    }

    /**
     * Half-closes the socket ({@code socket.end()}): queued bytes are flushed, then FIN is sent and
     * {@link #FINISH} is emitted. Reading goes on until the peer ends too. Idempotent. While connecting, the FIN
     * waits for the connection. Before {@link #connect} there is nothing to shut down: {@code FINISH} comes at
     * once, as in Node (a later {@code connect} still sends the FIN); with corked chunks queued, they and the
     * callback fail with {@code ERR_SOCKET_CLOSED} instead (see {@link #write(byte[])}).
     *
     * @return this socket
     */
    @Override
    Socket end();

    /**
     * As {@link #end()}; {@code callback} runs on {@link #FINISH}, or with the error if the socket fails first.
     * Called again after the socket finished, the callback gets {@code ERR_STREAM_ALREADY_FINISHED}; after it
     * was destroyed, {@code ERR_STREAM_DESTROYED} (as Node's {@code end(cb)}).
     *
     * @param callback completion callback
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Socket end(Callback callback);

    /**
     * Writes a last chunk, then ends.
     *
     * @param data the bytes; not copied
     * @return this socket
     */
    default Socket end(byte[] data) {
        write(data);
        return end();
    }

    /**
     * Writes a last chunk, then ends; {@code callback} runs on {@link #FINISH}.
     *
     * @param data     the bytes; not copied
     * @param callback completion callback
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Socket end(byte[] data, Callback callback);

    /**
     * Writes a last string in the default encoding, then ends.
     *
     * @param data the text
     * @return this socket
     */
    default Socket end(String data) {
        write(data);
        return end();
    }

    /**
     * Writes a last string in the default encoding, then ends; {@code callback} runs on {@link #FINISH}.
     *
     * @param data     the text
     * @param callback completion callback
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    default Socket end(String data, Callback callback) {
        return end(data, defaultEncoding(), callback);
    }

    /**
     * Writes a last string in the given charset, then ends.
     *
     * @param data    the text
     * @param charset its encoding
     * @return this socket
     */
    default Socket end(String data, Charset charset) {
        write(data, charset);
        return end();
    }

    /**
     * Writes a last string in the given charset, then ends; {@code callback} runs on {@link #FINISH}.
     *
     * @param data     the text
     * @param charset  its encoding
     * @param callback completion callback
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code callback} is {@code null}
     */
    Socket end(String data, Charset charset, Callback callback);

    /**
     * Writes a last string in the encoding Node calls {@code encoding}, then ends
     * ({@code socket.end(data, encoding)}).
     *
     * @param data     the text
     * @param encoding Node's name of its encoding, see {@link Encoding#of(String)}
     * @return this socket
     * @throws NetException {@code ERR_UNKNOWN_ENCODING} for a name Node does not know; nothing is queued
     */
    default Socket end(String data, String encoding) {
        return end(data, Encoding.of(encoding).charset());
    }

    /**
     * As {@link #end(String, String)}; {@code callback} runs on {@link #FINISH}.
     *
     * @param data     the text
     * @param encoding Node's name of its encoding
     * @param callback completion callback
     * @return this socket
     * @throws NetException {@code ERR_UNKNOWN_ENCODING} or {@code ERR_INVALID_ARG_TYPE}, as the methods above
     */
    default Socket end(String data, String encoding, Callback callback) {
        return end(data, Encoding.of(encoding).charset(), callback);
    }

    /**
     * Closes the connection now ({@code socket.destroy()}): unsent bytes are dropped (their callbacks get
     * {@code ERR_STREAM_DESTROYED}), reading stops, and {@link #CLOSE} follows with {@code hadError=false}.
     * Idempotent.
     *
     * @return this socket
     */
    Socket destroy();

    /**
     * Closes the connection now because of {@code error}: {@link #ERROR} with it, then {@code CLOSE(true)}.
     * With {@code null}, the same as {@link #destroy()}. Only the first destroy counts.
     *
     * @param error the reason, or {@code null}
     * @return this socket
     */
    Socket destroy(@Nullable Throwable error);

    /**
     * Ends the socket and destroys it once the queue has flushed ({@code socket.destroySoon()}).
     *
     * @return this socket
     */
    Socket destroySoon();

    /**
     * Closes a TCP connection with RST ({@code SO_LINGER} 0): the peer gets {@code ECONNRESET}; this side
     * emits {@code CLOSE(false)} and no error ({@code socket.resetAndDestroy()}). While connecting it waits for
     * the connection first. A socket that never connected is destroyed with {@code ERR_SOCKET_CLOSED}.
     *
     * @return this socket
     * @throws NetException {@code ERR_INVALID_HANDLE_TYPE} on a Unix domain socket
     */
    Socket resetAndDestroy();

    /**
     * Stops reading ({@code socket.pause()}): no {@link #DATA} until {@link #resume()}, and nothing is read
     * from the connection, so TCP flow control slows the peer down.
     *
     * @return this socket
     */
    Socket pause();

    /**
     * Starts or resumes reading ({@code socket.resume()}).
     *
     * @return this socket
     */
    Socket resume();

    /**
     * Returns whether {@link #pause()} is in force ({@code socket.isPaused()}).
     *
     * @return {@code true} if paused
     */
    boolean isPaused();

    /**
     * Emits {@link #TIMEOUT} after {@code timeout} without bytes read or written; zero disables it
     * ({@code socket.setTimeout(ms)}). The socket is not closed. One shared timer thread serves every socket.
     *
     * @param timeout the idle time, not negative
     * @return this socket
     */
    Socket setTimeout(Duration timeout);

    /**
     * As {@link #setTimeout(Duration)}; {@code listener} is added as a once listener of {@link #TIMEOUT}, or
     * removed from it when {@code timeout} is zero.
     *
     * @param timeout  the idle time, not negative
     * @param listener the timeout listener
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code listener} is {@code null}
     */
    Socket setTimeout(Duration timeout, Listener listener);

    /**
     * Returns the idle timeout last set ({@code socket.timeout}), or {@code null} if never set.
     *
     * @return the timeout or {@code null}
     */
    @Nullable Duration timeout();

    /**
     * Sets {@code TCP_NODELAY} on (no Nagle delay); before the connection exists it is applied when connected.
     *
     * @return this socket
     */
    default Socket setNoDelay() {
        return setNoDelay(true);
    }

    /**
     * Sets or clears {@code TCP_NODELAY}; a value equal to the current one changes nothing.
     *
     * @param noDelay {@code true} to send at once
     * @return this socket
     */
    Socket setNoDelay(boolean noDelay);

    /**
     * Enables or disables {@code SO_KEEPALIVE} ({@code socket.setKeepAlive(enable)}).
     *
     * @param enable whether to send keep-alive probes
     * @return this socket
     */
    default Socket setKeepAlive(boolean enable) {
        return setKeepAlive(enable, Duration.ZERO);
    }

    /**
     * Enables or disables {@code SO_KEEPALIVE} and sets the idle time before the first probe
     * ({@code TCP_KEEPIDLE}, whole seconds, where the platform supports it; zero keeps the current value).
     *
     * @param enable       whether to send keep-alive probes
     * @param initialDelay idle time before the first probe; a negative one counts as zero, as in Node
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code initialDelay} is {@code null} (use
     *                      {@link #setKeepAlive(boolean)}), as the options' {@code keepAliveInitialDelay}
     */
    Socket setKeepAlive(boolean enable, Duration initialDelay);

    /**
     * Lets the JVM exit even while this socket is open ({@code socket.unref()}). Idempotent.
     *
     * @return this socket
     */
    Socket unref();

    /**
     * Undoes {@link #unref()}: an open socket keeps the JVM alive (the default). Idempotent.
     *
     * @return this socket
     */
    Socket ref();

    /**
     * Holds written chunks in the queue until {@link #uncork()} ({@code socket.cork()}), so that many small
     * writes leave in one system call. Calls nest: each {@code cork} needs its {@code uncork}.
     *
     * @return this socket
     */
    Socket cork();

    /**
     * Undoes one {@link #cork()}; when none is left, the held chunks are written ({@code socket.uncork()}).
     *
     * @return this socket
     */
    Socket uncork();

    /**
     * Sends every chunk read from this socket to {@code destination} and ends it when this socket ends
     * ({@code socket.pipe(destination)}). When the destination's {@code write} returns {@code false} this
     * socket pauses, and it resumes on the destination's drain, so a slow destination slows the peer down
     * instead of filling memory. Piping starts the flow of data. {@code socket.pipe(socket)} is an echo.
     *
     * <p>To forward bytes, prefer this to a {@link #DATA} listener that writes each chunk: while a pipe is this
     * socket's only consumer, no chunk is made per read (the data goes from one reused read buffer to the
     * destination, and only bytes that must wait in a write queue are copied), which streams markedly faster
     * than a listener that gets a fresh array per read. A {@code DATA} listener added later gets its own
     * chunks from the next read on.
     *
     * @param destination where the data goes
     * @param <W>         the destination type
     * @return {@code destination}, for chaining
     */
    <W extends Writable> W pipe(W destination);

    /**
     * As {@link #pipe(Writable)}; with {@code end == false} the destination is not ended when this socket ends.
     *
     * @param destination where the data goes
     * @param end         whether to end the destination when this socket ends
     * @param <W>         the destination type
     * @return {@code destination}
     */
    <W extends Writable> W pipe(W destination, boolean end);

    /**
     * Stops every pipe from this socket ({@code socket.unpipe()}); the socket is paused if it was piping.
     *
     * @return this socket
     */
    Socket unpipe();

    /**
     * Stops the pipe into {@code destination} ({@code socket.unpipe(destination)}); if it was the last pipe the
     * socket pauses, whatever listeners it has, as in Node. Nothing happens if {@code destination} is not piped.
     *
     * @param destination a destination given to {@link #pipe(Writable)}
     * @return this socket
     */
    Socket unpipe(Writable destination);

    /**
     * Runs {@code listener} once on the next {@link #DRAIN}.
     *
     * @param listener the drain listener
     * @return this socket
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} if {@code listener} is {@code null}
     */
    @Override
    Socket onceDrain(Listener listener);
}
