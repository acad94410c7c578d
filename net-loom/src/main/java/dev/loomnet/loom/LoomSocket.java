package dev.loomnet.loom;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.Callback;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.DataListener;
import dev.loomnet.net.Event;
import dev.loomnet.net.Listener;
import dev.loomnet.net.NetException;
import dev.loomnet.net.OnRead;
import dev.loomnet.net.ReadyState;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A socket's state machine and its public methods. The connection itself runs in {@link Connection} on the
 * socket's own virtual thread; outgoing bytes go through {@link Writer}; events go through
 * {@link EventQueue}.
 *
 * <p>States ({@link Phase}): {@code NEW} (never connected) → {@code CONNECTING} → {@code CONNECTED} →
 * {@code CLOSED}; a closed socket may {@link #connect} again once its {@code close} event was emitted (a
 * {@code connect} made before that waits for it: {@link ConnectAfterClose}). The
 * readable and writable halves end separately ({@link #readEnded}, {@link #writeEnded}); the socket closes
 * itself when the peer's end was emitted and our FIN was sent, as Node's auto-destroy does.
 */
final class LoomSocket extends Emitter<Socket> implements Socket, Writer.Sink, EventQueue.Owner {

    enum Phase { NEW, CONNECTING, CONNECTED, CLOSED }

    /** Node's {@code readableFlowing}: null until data is wanted, then true or false. */
    private static final int FLOW_UNSET = 0;
    private static final int FLOW_ON = 1;
    private static final int FLOW_OFF = 2;

    private static final AtomicLong IDS = new AtomicLong();
    private static final java.lang.invoke.VarHandle BYTES_READ;

    static {
        try {
            BYTES_READ = java.lang.invoke.MethodHandles.lookup().findVarHandle(LoomSocket.class, "bytesRead",
                    long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long id = IDS.incrementAndGet();
    final SocketOptions options;
    private final @Nullable LoomServer server;
    final EventQueue events;
    /** Guards the state changes below, and is also the write queue's lock (one lock fewer per connection). */
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Signalled on every change of {@link #flow} and {@link #phase}, and when a drain is handed over; guarded by
     * {@link #lock}. Created by the first thread that waits on it ({@link #flowChanged()}): a connection whose
     * data listener was attached before it read never waits, and an idle connection should not carry it.
     */
    private @Nullable Condition flowChanged;
    /** The connection thread waits in {@link #awaitFlowing()}; guarded by {@link #lock}. */
    private boolean idleWaiting;
    /** An event queue drain was handed to the waiting connection thread; guarded by {@link #lock}. */
    private boolean drainHandedOver;
    private final Lifetime.Ref lifetime = new Lifetime.Ref();
    /**
     * Keeps the JVM alive from {@code connect()} until the {@code connect} listeners ran (or the socket closed),
     * whatever {@link #unref()} says: in Node the pending lookup and connect requests keep the loop alive, and
     * an {@code unref()} made before {@code connect()} applies once connected.
     */
    private final Lifetime.Ref connectingLifetime = new Lifetime.Ref();
    /** Created by the first {@link #setTimeout}: a socket without a timeout carries no timer object. */
    private volatile @Nullable IdleTimer timer;
    /** Held around every read of the channel, by the read loop or the input stream: one reader at a time. */
    final ReentrantLock readLock = new ReentrantLock();
    /** Pipes from this socket; created by the first {@link #pipe}. */
    private volatile java.util.@Nullable List<Pipe> pipes;
    private volatile Charset encoding = StandardCharsets.UTF_8;
    /** A TEXT listener was ever added: only then is decoding worth a look on each chunk. */
    private volatile boolean textWanted;
    /** Decoder state of {@code text} events; touched only by the thread emitting this socket's events. */
    private @Nullable TextDecoder decoder;
    private volatile @Nullable SocketInputStream input;
    private volatile @Nullable SocketOutputStream output;
    /**
     * Bytes read ahead while nobody read the socket (Node reads into its buffer as soon as a socket is
     * connected, listener or not), handed out before any later read; under {@link #readLock}.
     */
    private @Nullable ByteBuffer readAhead;
    /** The read-ahead met the peer's FIN with nothing unread, and {@code END} was emitted; under readLock. */
    private boolean readAheadEnded;

    private volatile Phase phase = Phase.NEW;
    private volatile int flow = FLOW_UNSET;
    private volatile @Nullable SocketChannel channel;
    private volatile Writer writes;
    private volatile boolean readEnded;
    private volatile boolean writeEnded;
    private volatile boolean finished;
    /** FINISH was emitted (once per connection, even if end() came before connect()). */
    private volatile boolean finishEmitted;
    private volatile boolean closeEmitted;
    /** The error the pending close emits; guarded by {@link #lock}, fixed once {@link #closeStarted}. */
    private @Nullable Throwable closeError;
    /** The close task started: a user's destroy() no longer changes {@link #closeError}. Guarded by lock. */
    private boolean closeStarted;
    /** The user's destroy() decided {@link #closeError}; guarded by {@link #lock}. */
    private boolean closedByUser;
    /** A {@code connect} made after a destroy, before its {@code close}; guarded by {@link #lock}. */
    private volatile @Nullable ConnectAfterClose afterClose;
    private volatile boolean destroyOnFinish;
    private volatile boolean resetOnConnect;
    /** Node's {@code connecting} lasts until just before {@code connect} is emitted, not until the TCP handshake. */
    private volatile boolean connectPending;
    /** Changed only under {@link #readLock}, with a release store (no fence per read); read with acquire. */
    private long bytesRead;
    private volatile @Nullable Duration timeout;
    private volatile boolean noDelay;
    private volatile boolean keepAlive;
    private volatile Duration keepAliveDelay;
    private volatile boolean unix;
    /**
     * The channel's own address objects (which the JDK keeps for the channel's life anyway), turned into Node's
     * text on each call: an idle socket holds no address strings of its own. Kept after close, as Node keeps
     * {@code remoteAddress}.
     */
    private volatile java.net.@Nullable SocketAddress localAddr;
    private volatile java.net.@Nullable SocketAddress remoteAddr;
    /** The channel is an IPv6 socket: IPv4 peers are shown mapped ({@code ::ffff:127.0.0.1}). */
    private volatile boolean v6Socket;
    /** The connection's own virtual thread (reads, emits inline); writes made on it may go out inline. */
    volatile @Nullable Thread ioThread;
    /** The {@code connect} calls so far; guarded by {@link #lock}. A connection thread compares it with its own. */
    private int connects;
    /** Guarded by {@link #lock}. */
    private List<String> attemptedAddresses = List.of();

    LoomSocket(SocketOptions options, @Nullable LoomServer server) {
        this.options = options;
        this.server = server;
        this.events = new EventQueue("events-", id, this);
        this.writes = new Writer(this, options.highWaterMark(), lock);
        this.noDelay = options.noDelay();
        this.keepAlive = options.keepAlive();
        this.keepAliveDelay = options.keepAliveInitialDelay();
        if (options.onread() != null) {
            flow = FLOW_ON;                               // Node reads into onread's buffer once connected
        }
        if (server == null) {
            keepEventsIfLate(false);                      // an accepted socket's tick is its CONNECTION listener
        }
    }

    @Override
    Socket self() {
        return this;
    }

    @Override
    EventQueue eventQueue() {
        return events;
    }

    @Override
    Event<Socket, dev.loomnet.net.ErrorListener> errorEvent() {
        return ERROR;
    }

    Phase phase() {
        return phase;
    }

    // ---------------------------------------------------------------------------------------------------
    // connect

    @Override
    public Socket connect(int port) {
        return start(ConnectOptions.builder().port(port).build(), null);
    }

    @Override
    public Socket connect(int port, String host) {
        return start(ConnectOptions.builder().port(port).host(host).build(), null);
    }

    @Override
    public Socket connect(int port, String host, Listener connectListener) {
        Validate.function(connectListener, "connectListener");
        return start(ConnectOptions.builder().port(port).host(host).build(), connectListener);
    }

    @Override
    public Socket connect(Path path) {
        return start(ConnectOptions.builder().path(path).build(), null);
    }

    @Override
    public Socket connect(Path path, Listener connectListener) {
        Validate.function(connectListener, "connectListener");
        return start(ConnectOptions.builder().path(path).build(), connectListener);
    }

    @Override
    public Socket connect(ConnectOptions options) {
        return start(options, null);
    }

    @Override
    public Socket connect(ConnectOptions options, Listener connectListener) {
        return start(options, Validate.function(connectListener, "connectListener"));
    }

    /** {@code connect} with the arguments checked; {@code connectListener} may be null here. */
    private Socket start(ConnectOptions options, @Nullable Listener connectListener) {
        if (options == null) {
            throw new NetException(NetException.ERR_MISSING_ARGS,
                    "The \"options\" or \"port\" or \"path\" argument must be specified");
        }
        boolean again = false;
        int connect;
        lock.lock();
        try {
            if (afterClose != null) {
                throw new NetException(NetException.ERR_INVALID_STATE,
                        "Invalid state: the socket is already connecting");
            }
            switch (phase) {
                case CONNECTING, CONNECTED -> throw new NetException(NetException.ERR_INVALID_STATE,
                        "Invalid state: the socket is already " + (phase == Phase.CONNECTING ? "connecting" : "connected"));
                case CLOSED -> {
                    if (!closeEmitted) {
                        afterClose = new ConnectAfterClose(() -> start(options, connectListener));
                        return this;                      // as Node's _undestroy, after the destroy's events
                    }
                    resetForReconnect();
                    again = true;
                }
                case NEW -> { }
            }
            phase = Phase.CONNECTING;
            connectPending = true;
            unix = options.isPath();
            connect = ++connects;
        } finally {
            lock.unlock();
        }
        if (again) {
            // A read of the previous connection that returned just before its destroy may still be counting its
            // bytes, under readLock (a read started later meets the closed channel): restart the count after it,
            // or they land on this connection. Not under the lock: the read loop takes the lock inside readLock.
            readLock.lock();
            try {
                BYTES_READ.setRelease(this, 0L);
                readAhead = null;                         // what the previous connection read ahead is gone
                readAheadEnded = false;
            } finally {
                readLock.unlock();
            }
        }
        keepEventsIfLate(true);
        if (connectListener != null) {
            onceInTime(CONNECT, connectListener);
        }
        if (options.timeout() != null) {
            setTimeout(options.timeout());
        }
        Stats.SOCKETS.incrementAndGet();
        lifetime.activate();
        connectingLifetime.activate();
        touchTimer();
        if (writeEnded) {
            // end() before connect() finished at once (Node: no handle to shut down); now there is one, so
            // the FIN goes out after the queued bytes, and only then does the socket count as finished.
            finished = false;
            writes.end(null);
        }
        Connection.startClient(this, options, connect);
        return this;
    }

    private void resetForReconnect() {
        // The previous connection's thread may still be on its way out (waiting for the flow, or woken by the
        // close of its channel): from now on it is not this socket's, and awaitFlowing and the read loop's
        // error and EOF paths leave the new connection alone (Node ignores a closed handle's callbacks).
        ioThread = null;
        writes = new Writer(this, options.highWaterMark(), lock);
        readEnded = false;
        writeEnded = false;
        finished = false;
        finishEmitted = false;
        closeEmitted = false;
        closeStarted = false;
        closeError = null;
        closedByUser = false;
        destroyOnFinish = false;
        resetOnConnect = false;
        channel = null;
        localAddr = null;
        remoteAddr = null;
        attemptedAddresses = List.of();
        // The flow carries over, as Node's readableFlowing does: a socket resumed or read before reads its next
        // connection too, whether or not it has listeners now; a paused one stays paused.
    }

    /**
     * Whether {@code connectionThread} no longer serves this socket: it was connected again after that thread's
     * connection was destroyed. Null stands for a caller that is no connection thread (never left behind).
     * Asked under {@link #lock}, under which {@link #connect} forgets the old thread.
     */
    private boolean leftBehind(@Nullable Thread connectionThread) {
        return connectionThread != null && ioThread != connectionThread;
    }

    /**
     * Names the calling thread the socket's connection thread ({@link #ioThread}), unless the socket was
     * connected again since the {@code connect} call numbered {@code connect} (0 for an accepted or adopted
     * socket): a thread that starts only after its socket was destroyed and connected again must not take the
     * new connection's place. Under the lock under which {@link #connect} counts and forgets the old thread.
     *
     * @return false if the calling thread's connection is no longer the socket's
     */
    boolean adoptIoThread(int connect) {
        lock.lock();
        try {
            if (connects != connect) {
                return false;
            }
            ioThread = Thread.currentThread();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by {@code connectionThread} with an open, not yet connected channel; false if destroyed meanwhile, or
     * if that thread was left behind by a reconnect ({@link #leftBehind}).
     */
    boolean attach(SocketChannel ch, @Nullable Thread connectionThread) {
        lock.lock();
        try {
            if (phase == Phase.CLOSED || leftBehind(connectionThread)) {
                return false;
            }
            channel = ch;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connection is established (client), accepted (server) or adopted; false if destroyed meanwhile, or, with
     * {@code connectionThread} (the connection thread calling), if that thread no longer serves the socket (it was
     * connected again). An adopted channel is established by the caller of {@code Net.socket}: null.
     */
    boolean established(SocketChannel ch, boolean v6Socket, @Nullable Thread connectionThread) {
        lock.lock();
        try {
            if (phase == Phase.CLOSED || leftBehind(connectionThread)) {
                return false;
            }
            channel = ch;
            phase = Phase.CONNECTED;
            signalFlowChanged();
            try {
                this.v6Socket = v6Socket;
                localAddr = ch.getLocalAddress();
                remoteAddr = ch.getRemoteAddress();
            } catch (IOException e) {
                // the channel was closed under us; the read loop will find out and destroy
            }
        } finally {
            lock.unlock();
        }
        applySocketOptions(ch);
        touchTimer();
        return true;
    }

    /** Accepted connection: counts as open from now on. */
    void accepted(SocketChannel ch, boolean v6Socket, boolean pauseOnConnect) {
        unix = !(safeLocal(ch) instanceof InetSocketAddress);
        channel = ch;
        if (pauseOnConnect) {
            flow = FLOW_OFF;
        }
        Stats.SOCKETS.incrementAndGet();
        lifetime.activate();
        Connection.startAccepted(this, ch, v6Socket);
    }

    /** An existing connected channel ({@code new Socket({fd})}): connected now, no CONNECT event. */
    void adopt(SocketChannel ch) {
        java.net.SocketAddress local = safeLocal(ch);
        boolean v6 = local instanceof InetSocketAddress inet && inet.getAddress() instanceof java.net.Inet6Address;
        unix = !(local instanceof InetSocketAddress);
        Stats.SOCKETS.incrementAndGet();
        lifetime.activate();
        established(ch, v6, null);
        Connection.startAdopted(this, ch);
    }

    private static java.net.@Nullable SocketAddress safeLocal(SocketChannel ch) {
        try {
            return ch.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** Starts flushing what was written while connecting. */
    void startWrites() {
        writes.start();
    }

    /** The connect listeners ran: from now on only {@link #ref()}/{@link #unref()} decide. */
    void connectDone() {
        connectingLifetime.deactivate();
    }

    boolean resetRequested() {
        return resetOnConnect;
    }

    // ---------------------------------------------------------------------------------------------------
    // events emitted from the connection thread

    void emitConnected() throws Exception {
        lock.lock();
        try {
            if (phase != Phase.CONNECTED) {
                return;                      // destroyed while its events waited: no CONNECT, as in Node
            }
            connectPending = false;
            signalFlowChanged();             // awaitConnected: the input stream may read from now on
        } finally {
            lock.unlock();
        }
        // Writes made while connecting leave only now, with the CONNECT event (Node flushes them from a
        // 'connect' listener). The handshake may finish long before: events wait while the listener that
        // created this socket runs, and a destroy() in that window must send nothing and fail the writes
        // with ERR_SOCKET_CLOSED_BEFORE_CONNECTION. The writer is its own thread, so a connect listener
        // that blocks until its writes are flushed still gets them flushed.
        writes.start();
        emitLifecycle(CONNECT, Listener::handle);
        emitLifecycle(READY, Listener::handle);
    }

    void emitConnection() throws Exception {
        if (phase != Phase.CONNECTED || server == null) {
            return;
        }
        server.emitConnection(this);
    }

    /** Whether this is a Unix domain socket (no socket adaptor, no TCP options). */
    boolean unix() {
        return unix;
    }

    /**
     * The pipe that is this socket's only consumer of data, or null: exactly one {@code DATA} listener, which
     * is that pipe's, and no {@code TEXT} listener ever. The read loop then lends the pipe its read buffer
     * instead of making a fresh chunk per read (nobody else could see the chunk).
     */
    @Nullable Pipe soloPipe() {
        List<Pipe> list = pipes;
        if (list == null || list.size() != 1 || textWanted) {
            return null;
        }
        Pipe pipe = list.get(0);
        return listeners.sole(DATA) == pipe ? pipe : null;
    }

    /**
     * Emits the bytes of {@code view} (the read loop's buffer, reused after this returns) to the sole pipe
     * without a chunk of their own if a pipe is still the only consumer (checked again here, inside the
     * event: listeners may have changed since the read), else as an ordinary chunk.
     *
     * @return null, or the bytes as a chunk of their own to emit again once the socket flows ({@link #emitData})
     */
    byte @Nullable [] emitBorrowed(ByteBuffer view) throws Exception {
        if (phase == Phase.CLOSED) {
            return null;
        }
        Pipe pipe = soloPipe();
        if (pipe == null) {
            byte[] chunk = Bytes.takeRemaining(view);     // listeners changed since the read: a chunk they own
            return emitData(chunk) ? null : chunk;
        }
        pipe.pushBorrowed(view);
        return null;
    }

    /**
     * Hands one read to the {@code onread} callback ({@code view}'s array holds {@code view.position()} new
     * bytes from index 0); a {@code false} from it pauses the socket, as in Node.
     */
    // ByteBufferBackingArray: view is ByteBuffer.wrap of the onread buffer, array offset 0
    @SuppressWarnings("ByteBufferBackingArray")
    void emitOnRead(OnRead onread, ByteBuffer view) throws Exception {
        if (phase == Phase.CLOSED) {
            return;
        }
        if (!onread.callback().onRead(view.position(), view.array())) {
            pause();
        }
    }

    /**
     * Emits one chunk as {@code DATA}, then {@code TEXT}; returns false, emitting nothing, if the chunk is to be
     * held until the socket flows again, as Node buffers what arrives while paused. The read loop checked the
     * flow before this event, but a {@code pause()} or {@code unpipe()} from another thread can come between:
     * a socket paused by now holds the chunk, and so does one whose {@code DATA} listeners changed under the
     * emit (the last pipe stopped, which {@link #unpipe} does only after pausing, or a listener was added
     * meanwhile), which would otherwise have sent the chunk to nobody.
     */
    boolean emitData(byte[] chunk) throws Exception {
        if (phase == Phase.CLOSED) {
            return true;
        }
        if (flow != FLOW_ON) {
            return false;
        }
        if (!emit(DATA, DataListener::onData, chunk) && (flow != FLOW_ON || hasListeners(DATA))) {
            return false;
        }
        if (textWanted && hasListeners(TEXT) && phase != Phase.CLOSED) {
            String text = decoder(encoding).decode(chunk);
            if (!text.isEmpty()) {
                emit(TEXT, l -> l.onText(text));
            }
        }
        return true;
    }

    private TextDecoder decoder(Charset charset) {
        TextDecoder d = decoder;
        if (d == null || !d.charset().equals(charset)) {
            d = new TextDecoder(charset);
            decoder = d;
        }
        return d;
    }

    void emitAttempt(Event<Socket, dev.loomnet.net.AttemptListener> event, String ip, int port, int family,
                     @Nullable Throwable error) throws Exception {
        // Attempt events are posted only while connecting, and a refused connect may destroy the socket before
        // they run; Node emits connectionAttempt before the connect syscall and connectionAttemptFailed before
        // the 'error', so the closed phase must not swallow them.
        emitLifecycle(event, l -> l.onAttempt(ip, port, family, error));
    }

    /** Records an address tried by autoSelectFamily. */
    void attempted(String ipAndPort) {
        lock.lock();
        try {
            if (attemptedAddresses.isEmpty()) {
                attemptedAddresses = new java.util.ArrayList<>(2);
            }
            attemptedAddresses.add(ipAndPort);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> autoSelectFamilyAttemptedAddresses() {
        lock.lock();
        try {
            return List.copyOf(attemptedAddresses);
        } finally {
            lock.unlock();
        }
    }

    /** The client {@code blockList} check before connecting to {@code ip}: the error to fail with, or null. */
    @Nullable NetException blockedByList(String ip, int family) {
        dev.loomnet.net.BlockList list = options.blockList();
        if (list != null && list.check(ip, family == 6 ? "ipv6" : "ipv4")) {
            return new NetException(NetException.ERR_IP_BLOCKED, "IP(" + ip + ") is blocked by net.BlockList");
        }
        return null;
    }

    void emitLookup(@Nullable Throwable error, @Nullable String address, int family, String host) throws Exception {
        // Node emits 'lookup' in the lookup callback before it checks whether the socket is still connecting,
        // and a failed or unusable answer ('lookup' then 'error') is posted just before it destroys the
        // socket: the closed phase must not swallow it.
        emitLifecycle(LOOKUP, l -> l.onLookup(error, address, family, host));
    }

    /** The peer's FIN was read after all data: emit {@code end}, end our side unless half-open, maybe close. */
    void emitEnd() throws Exception {
        if (phase == Phase.CLOSED || readEnded) {
            return;
        }
        readEnded = true;
        try {
            TextDecoder d = decoder;
            if (d != null && hasListeners(TEXT)) {
                String tail = d.end();
                if (!tail.isEmpty()) {
                    emit(TEXT, l -> l.onText(tail));
                }
            }
            emitLifecycle(END, Listener::handle);
        } finally {
            if (!options.allowHalfOpen() && phase != Phase.CLOSED) {
                end();
            }
            if (finished) {
                selfDestroy(null);
            }
        }
    }

    void addBytesRead(int n) {
        BYTES_READ.setRelease(this, bytesRead + n);      // the caller holds readLock: one writer
        touchTimer();
    }

    /**
     * Whether the read loop should read ahead: a connected socket that nobody reads yet (no {@code DATA} or
     * {@code TEXT} listener, no pipe, not resumed, not paused, no input stream), with nothing read ahead
     * waiting. Node starts reading when a socket connects, so a peer's FIN or reset is seen, and emits
     * {@code end} or {@code error}, even on a socket nobody reads: a client that only writes learns that the
     * server went away, and a server that only writes still closes. A client's {@code END} may come before the
     * code that connected it added its listener; that code's listeners get it anyway, as the events a socket
     * connected from a plain thread emits are kept for late listeners ({@link Emitter#emitLifecycle}).
     */
    boolean wantsReadAhead() {
        return flow == FLOW_UNSET && input == null && phase == Phase.CONNECTED && readAhead == null
                && !readAheadEnded;
    }

    /** Under readLock: keeps the bytes the read loop read ahead. */
    void keepReadAhead(byte[] bytes) {
        readAhead = ByteBuffer.wrap(bytes);
    }

    /** Under readLock: the read-ahead met EOF with nothing unread (END follows from the read loop). */
    void readAheadEnded() {
        readAheadEnded = true;
    }

    /** Under readLock: whether the read-ahead met EOF, for the input stream (which then returns -1). */
    boolean readAheadEndedAlready() {
        return readAheadEnded;
    }

    /**
     * Whether bytes read ahead may be waiting, without the lock: for the read loop, which alone sets them (so
     * it sees its own write); a stale true only costs the locked {@link #takeReadAhead()}.
     */
    boolean mayHaveReadAhead() {
        return readAhead != null;
    }

    /** Under readLock: what is left of the read-ahead, as a {@code DATA} chunk, or null. */
    // ByteBufferBackingArray: readAhead is ByteBuffer.wrap(bytes) (keepReadAhead), array offset 0
    @SuppressWarnings("ByteBufferBackingArray")
    byte @Nullable [] takeReadAhead() {
        ByteBuffer r = readAhead;
        if (r == null) {
            return null;
        }
        readAhead = null;
        return r.position() == 0 ? r.array() : Arrays.copyOfRange(r.array(), r.position(), r.limit());
    }

    /** Under readLock: copies up to {@code len} read-ahead bytes into {@code b}; 0 when there are none. */
    int takeReadAhead(byte[] b, int off, int len) {
        ByteBuffer r = readAhead;
        if (r == null) {
            return 0;
        }
        int n = Math.min(len, r.remaining());
        r.get(b, off, n);
        if (!r.hasRemaining()) {
            readAhead = null;
        }
        return n;
    }

    /**
     * Parks the connection thread until data is wanted; false once the socket is closed, or once it serves
     * another connection (a reconnect) than the calling thread's.
     */
    boolean awaitFlowing() {
        if (flow == FLOW_ON) {
            return phase != Phase.CLOSED && ioThread == Thread.currentThread();
        }
        lock.lock();
        try {
            for (;;) {
                if (drainHandedOver) {
                    // An event was posted while this thread waited: run the queue here rather than have a
                    // virtual thread started for it (see EventQueue.Owner.takeDrain).
                    drainHandedOver = false;
                    lock.unlock();
                    try {
                        events.drainHandedOver();
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                boolean current = ioThread == Thread.currentThread();
                if (flow == FLOW_ON || phase == Phase.CLOSED || !current) {
                    return phase != Phase.CLOSED && current;
                }
                idleWaiting = true;
                try {
                    flowChanged().awaitUninterruptibly();
                } finally {
                    idleWaiting = false;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link EventQueue.Owner}: the connection thread drains if it is waiting for flow. */
    @Override
    public boolean takeDrain() {
        lock.lock();
        try {
            if (!idleWaiting || drainHandedOver) {
                return false;
            }
            drainHandedOver = true;
            signalFlowChanged();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Parks until the socket is no longer connecting (its {@code connect} was emitted); true if connected. */
    boolean awaitConnected() {
        lock.lock();
        try {
            while (phase == Phase.CONNECTING || (phase == Phase.CONNECTED && connectPending)) {
                flowChanged().awaitUninterruptibly();
            }
            return phase == Phase.CONNECTED;
        } finally {
            lock.unlock();
        }
    }

    boolean flowing() {
        return flow == FLOW_ON;
    }

    /** Under {@link #lock}: the condition to wait on, created on first use. */
    private Condition flowChanged() {
        Condition c = flowChanged;
        if (c == null) {
            c = lock.newCondition();
            flowChanged = c;
        }
        return c;
    }

    /** Under {@link #lock}: wakes the threads waiting for a change of flow or phase, if any ever waited. */
    private void signalFlowChanged() {
        Condition c = flowChanged;
        if (c != null) {
            c.signalAll();
        }
    }

    @Override
    void listenerAdded(Event<?, ?> event) {
        if (event == TEXT) {
            textWanted = true;
        }
        if ((event == DATA || event == TEXT) && flow == FLOW_UNSET) {
            setFlow(FLOW_ON);
        }
    }

    private void setFlow(int value) {
        lock.lock();
        try {
            flow = value;
            signalFlowChanged();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Writer.Sink

    @Override
    public @Nullable SocketChannel channel() {
        return channel;
    }

    @Override
    public void flushed(long bytes, List<Callback> callbacks) {
        touchTimer();
        if (!callbacks.isEmpty()) {
            events.post(() -> runCallbacks(callbacks, null));
        }
    }

    @Override
    public void progressed() {
        touchTimer();
    }

    @Override
    public int writeNow(ByteBuffer data) throws IOException {
        SocketChannel ch = channel;
        if (ch == null) {
            throw new java.nio.channels.ClosedChannelException();
        }
        ch.configureBlocking(false);
        try {
            return ch.write(data);
        } finally {
            ch.configureBlocking(true);
        }
    }

    @Override
    public void drained() {
        events.post(() -> {
            if (phase != Phase.CLOSED) {
                emit(DRAIN, Listener::handle);
            }
        });
    }

    @Override
    public void finished() {
        touchTimer();
        events.post(() -> {
            List<Callback> callbacks;
            lock.lock();
            try {
                if (phase == Phase.CLOSED) {
                    return;                           // destroy()'s failAll took the end callbacks, with its error
                }
                // The end callbacks are taken now, not when the FIN left: an end(callback) made in between (in an
                // END listener, say) belongs to this FINISH, and a destroy() in between must still find them in
                // the queue (it used to find none, and this task then dropped them). Under the lock, under which
                // destroy() closes the socket and a later end(callback) checks `finished`.
                finished = true;
                callbacks = writes.takeEndCallbacks();
            } finally {
                lock.unlock();
            }
            try {
                try {
                    if (!finishEmitted) {
                        finishEmitted = true;
                        emitLifecycle(FINISH, Listener::handle);
                    }
                } finally {
                    runCallbacks(callbacks, null);
                }
            } finally {
                if (readEnded || destroyOnFinish) {
                    selfDestroy(null);
                }
            }
        });
    }

    @Override
    public void failed(IOException error) {
        if (phase != Phase.CLOSED) {
            selfDestroy(Errors.io(error, "write"));
        }
    }

    @Override
    public String writerName() {
        return "writer-" + id;
    }

    /**
     * Runs every callback even if some throw; the first throwable is rethrown afterwards (destroying the
     * socket), later ones are attached to it as suppressed.
     */
    private static void runCallbacks(List<Callback> callbacks, @Nullable Throwable error) throws Exception {
        Throwable first = null;
        for (Callback cb : callbacks) {
            try {
                cb.done(error);
            } catch (Throwable t) {
                if (first == null) {
                    first = t;
                } else {
                    first.addSuppressed(t);
                }
            }
        }
        if (first instanceof Exception e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
    }

    @Override
    public void rejected(@Nullable Callback callback) {
        if (callback != null) {
            events.post(() -> callback.done(Errors.streamDestroyed()));
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // writing

    @Override
    public boolean write(byte[] data) {
        return writeChunk(data, null);
    }

    @Override
    public boolean write(byte[] data, Callback callback) {
        return writeChunk(data, Validate.function(callback, "callback"));
    }

    private boolean writeChunk(byte[] data, @Nullable Callback callback) {
        if (data == null) {
            throw new NetException(NetException.ERR_STREAM_NULL_VALUES, "May not write null values to stream");
        }
        if (phase == Phase.CLOSED) {
            rejected(callback);
            return false;
        }
        if (writeEnded) {
            // As Node: the callback gets the error later, but the socket is destroyed with it now, so that it
            // wins over a close already under way (both sides ended: the auto-close after END). Once the peer
            // ended a socket that does not allow half-open, the error is Node's writeAfterFIN EPIPE.
            return failWrite(callback, readEnded && !options.allowHalfOpen() ? Errors.endedByPeer()
                    : Errors.writeAfterEnd());
        }
        if (phase == Phase.NEW && failedBeforeConnect(callback)) {
            return false;
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        if (Thread.currentThread() == ioThread && readLock.tryLock()) {
            // On the connection's own thread, inside a listener: the channel is not being read, so it can be
            // switched to non-blocking for one write attempt (see Writer.write).
            try {
                return writes.write(buffer, callback, true, false);
            } finally {
                readLock.unlock();
            }
        }
        return writes.write(buffer, callback, false, false);
    }

    /**
     * Node: a write before {@code connect()} has no handle to go to. Unless the socket is corked (corked chunks
     * wait in the queue for {@code connect()}, or fail at {@link #uncork()}), the callback gets
     * {@code ERR_SOCKET_CLOSED} and the socket is destroyed before {@code write} returns, as in Node; the
     * callback still runs before {@code ERROR} and {@code CLOSE}. Checked under the lock, under which
     * {@code connect()} changes the phase. Returns whether the write failed so.
     */
    private boolean failedBeforeConnect(@Nullable Callback callback) {
        lock.lock();
        try {
            if (phase != Phase.NEW || writes.corked()) {
                return false;
            }
            failWrite(callback, Errors.socketClosed());
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A write that cannot be made: its callback gets {@code error} later (posted first, so before {@code ERROR}
     * and {@code CLOSE}), the socket is destroyed with it now. Returns {@code false}, {@code write}'s answer.
     */
    private boolean failWrite(@Nullable Callback callback, NetException error) {
        if (callback != null) {
            events.post(() -> callback.done(error));
        }
        selfDestroy(error);
        return false;
    }

    /**
     * Writes bytes the caller keeps only for the duration of the call (a pipe's reused read buffer): what the
     * kernel does not take inline is copied into the queue, so the caller may reuse the buffer at once.
     */
    boolean writeBorrowed(ByteBuffer data) {
        if (phase == Phase.CLOSED || writeEnded || phase == Phase.NEW) {
            return write(Bytes.takeRemaining(data));     // the usual rejection, write-after-end or no-handle error
        }
        boolean inline = Thread.currentThread() == ioThread && readLock.tryLock();
        try {
            return writes.write(data, null, inline, true);
        } finally {
            if (inline) {
                readLock.unlock();
            }
        }
    }

    @Override
    public boolean write(String data) {
        return writeChunk(encode(data, StandardCharsets.UTF_8), null);
    }

    @Override
    public boolean write(String data, Callback callback) {
        Validate.function(callback, "callback");
        return writeChunk(encode(data, StandardCharsets.UTF_8), callback);
    }

    @Override
    public boolean write(String data, Charset charset) {
        return writeChunk(encode(data, charset), null);
    }

    @Override
    public boolean write(String data, Charset charset, Callback callback) {
        Validate.function(callback, "callback");
        return writeChunk(encode(data, charset), callback);
    }

    private static byte[] encode(String data, Charset charset) {
        if (data == null) {
            throw new NetException(NetException.ERR_STREAM_NULL_VALUES, "May not write null values to stream");
        }
        if (charset == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"encoding\" argument must not be null. Received null");
        }
        return data.getBytes(charset);
    }

    @Override
    public Socket end() {
        return endWith(null);
    }

    @Override
    public Socket end(Callback callback) {
        return endWith(Validate.function(callback, "callback"));
    }

    private Socket endWith(@Nullable Callback callback) {
        Phase p;
        boolean queued;
        lock.lock();
        try {
            p = phase;
            if (p != Phase.CLOSED && !writeEnded) {
                writeEnded = true;
            } else {
                p = null;
            }
            queued = writes.length() > 0;
        } finally {
            lock.unlock();
        }
        if (p == null) {                            // already ended or destroyed
            if (callback != null) {
                endAgain(callback);
            }
            return this;
        }
        if (p == Phase.NEW && queued) {
            // Corked writes before connect(): end() uncorks them, and with no handle they fail (Node)
            writes.end(callback);                   // queued behind the writes: failed with them, in order
            selfDestroy(Errors.socketClosed());
            return this;
        }
        if (p == Phase.NEW) {
            // Never connected: nothing to shut down, so FINISH and the callback come at once (Node's _final
            // waits only while connecting). A later connect() still sends the FIN.
            events.post(() -> {
                lock.lock();                        // connect() changes the phase under the lock
                try {
                    if (phase == Phase.NEW) {
                        finished = true;            // unless connect() came first: then the real FIN counts
                    }
                } finally {
                    lock.unlock();
                }
                finishEmitted = true;
                emitLifecycle(FINISH, Listener::handle);
                if (callback != null) {
                    callback.done(null);
                }
            });
            return this;
        }
        writes.end(callback);
        return this;
    }

    /**
     * The callback of an {@code end} after the first: it runs with {@code null} at once if the socket finished,
     * on the coming {@code FINISH} if the end is under way (Node queues it for {@code 'finish'}), or with
     * {@code ERR_STREAM_DESTROYED} if the socket was destroyed first. Decided under the lock, under which the
     * {@code FINISH} task takes the end callbacks and {@code destroy()} closes the socket, so that the callback
     * cannot fall between them.
     */
    private void endAgain(Callback callback) {
        lock.lock();
        try {
            if (finished) {
                events.post(() -> callback.done(Errors.alreadyFinished()));      // Node's end() after 'finish'
            } else if (phase == Phase.CLOSED || !writes.addEndCallback(callback)) {
                events.post(() -> callback.done(Errors.endAfterDestroy()));
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Socket end(byte[] data) {
        write(data);
        return end();
    }

    @Override
    public Socket end(byte[] data, Callback callback) {
        Validate.function(callback, "callback");
        write(data);
        return end(callback);
    }

    @Override
    public Socket end(String data) {
        write(data);
        return end();
    }

    @Override
    public Socket end(String data, Charset charset, Callback callback) {
        Validate.function(callback, "callback");
        write(data, charset);
        return end(callback);
    }

    @Override
    public Socket cork() {
        writes.cork();
        return this;
    }

    @Override
    public Socket uncork() {
        writes.uncork();                                  // starts no writer before connect()
        if (phase == Phase.NEW) {
            lock.lock();                                  // connect() changes the phase under it
            try {
                if (phase == Phase.NEW && !writes.corked() && writes.length() > 0) {
                    destroy(Errors.socketClosed());       // Node: the corked writes meet no handle
                }
            } finally {
                lock.unlock();
            }
        }
        return this;
    }

    /** Blocks until at most {@code limit} bytes are queued; false if the socket was destroyed first. */
    boolean awaitQueueBelow(long limit) {
        return writes.awaitLengthAtMost(limit);
    }

    /** {@link Writer#claimReader}: for the read loop's non-blocking read on a Unix domain socket. */
    boolean claimWriterRole() {
        return writes.claimReader();
    }

    /** {@link Writer#releaseReader}. */
    void releaseWriterRole() {
        writes.releaseReader();
    }

    /** {@link Writer#awaitFlushed}: for the output stream's {@code flush}. */
    boolean awaitFlushed() {
        return writes.awaitFlushed();
    }

    @Override
    public Socket onceDrain(Listener listener) {
        Validate.function(listener, "listener");
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        Listener[] self = new Listener[1];
        self[0] = () -> {
            if (ran.compareAndSet(false, true)) {
                off(DRAIN, self[0]);
                listener.handle();
            }
        };
        on(DRAIN, self[0]);
        if (!writes.drainOwed()) {
            events.post(self[0]::handle);            // drained before we registered: do not wait forever
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------------------
    // text, pipe and the blocking style

    @Override
    public Socket setEncoding(Charset charset) {
        if (charset == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"encoding\" argument must not be null. Received null");
        }
        encoding = charset;
        return this;
    }

    @Override
    public Charset encoding() {
        return encoding;
    }

    @Override
    public <W extends dev.loomnet.net.Writable> W pipe(W destination) {
        return pipe(destination, true);
    }

    @Override
    public <W extends dev.loomnet.net.Writable> W pipe(W destination, boolean end) {
        if (destination == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"destination\" argument must not be null. Received null");
        }
        Pipe pipe = new Pipe(this, destination, end);
        lock.lock();
        try {
            List<Pipe> list = pipes;
            pipes = list == null ? List.of(pipe) : java.util.stream.Stream.concat(list.stream(),
                    java.util.stream.Stream.of(pipe)).toList();
        } finally {
            lock.unlock();
        }
        pipe.start();
        return destination;
    }

    /**
     * A pipe's back-pressure: pauses ({@code on} false: its destination's {@code write} returned false) or resumes
     * (it drained) this socket, unless that pipe was unpiped meanwhile; returns whether it did. Decided under the
     * lock under which {@link #unpipe} removes the pipe (and then pauses): from another thread, an unpipe could
     * otherwise fall between the pipe's check and its pause or resume, and a drain (a destination may drain on a
     * thread of its own) resumed the socket right after the unpipe paused it, chunks flowing to whatever was left
     * or to nobody; or a late pause stopped a socket that had been switched to a DATA listener and resumed (Node
     * removes the pipe's listeners in unpipe, on its one thread).
     */
    boolean flowForPipe(Pipe pipe, boolean on) {
        lock.lock();
        try {
            List<Pipe> list = pipes;
            if (list == null || !list.contains(pipe)) {
                return false;
            }
            setFlow(on ? FLOW_ON : FLOW_OFF);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Socket unpipe() {
        List<Pipe> list = pipes;
        if (list != null) {
            for (Pipe p : list) {
                unpipe(p.destination);
            }
        }
        return this;
    }

    /**
     * Node's {@code unpipe(destination)}: nothing if it is not piped there; otherwise the pipe stops, and if it
     * was the last one the socket pauses, whatever listeners it has, so that whoever reads next (a listener
     * added then, with {@code resume()}) misses no chunk. The pause comes first: a chunk whose event no longer
     * finds the pipe then finds the socket paused and is held ({@link #emitData}).
     */
    // ReferenceEquality: as Node's unpipe, a pipe matches the very destination object (===)
    @SuppressWarnings("ReferenceEquality")
    @Override
    public Socket unpipe(dev.loomnet.net.Writable destination) {
        List<Pipe> removed;
        boolean last;
        lock.lock();
        try {
            List<Pipe> list = pipes;
            if (list == null) {
                return this;
            }
            removed = list.stream().filter(p -> p.destination == destination).toList();
            pipes = list.stream().filter(p -> p.destination != destination).toList();
            last = pipes.isEmpty();
        } finally {
            lock.unlock();
        }
        if (removed.isEmpty()) {
            return this;
        }
        if (last) {
            pause();
        }
        removed.forEach(Pipe::stop);
        return this;
    }

    @Override
    public java.io.InputStream inputStream() {
        SocketInputStream in = input;
        if (in == null) {
            lock.lock();
            try {
                in = input;
                if (in == null) {
                    in = new SocketInputStream(this);
                    input = in;
                }
            } finally {
                lock.unlock();
            }
        }
        return in;
    }

    @Override
    public java.io.OutputStream outputStream() {
        SocketOutputStream out = output;
        if (out == null) {
            lock.lock();
            try {
                out = output;
                if (out == null) {
                    out = new SocketOutputStream(this);
                    output = out;
                }
            } finally {
                lock.unlock();
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------
    // destroying

    @Override
    public Socket destroy() {
        return destroy(null);
    }

    @Override
    public Socket destroy(@Nullable Throwable error) {
        return destroy(error, null, true);
    }

    /** A destroy that loomnet makes itself (a failed read or write, the auto-close), never the user's. */
    private void selfDestroy(@Nullable Throwable error) {
        destroy(error, null, false);
    }

    /**
     * {@link #destroy(Throwable)}; with {@code connectionThread}, only while that thread still serves this
     * socket, decided under the lock under which {@link #connect} forgets the previous connection's thread.
     *
     * <p>{@code byUser}: the application's own {@code destroy}. Made after loomnet destroyed the socket itself
     * (its connect failed, say) but before that close was emitted, it decides the close: in Node the failure
     * would reach the socket on a later tick than the application's call, so a {@code destroy()} right after
     * {@code connect()} gives no error even when the connect failed meanwhile on the connection's thread.
     */
    private Socket destroy(@Nullable Throwable error, @Nullable Thread connectionThread, boolean byUser) {
        SocketChannel ch;
        Phase was;
        boolean beforeConnect;
        lock.lock();
        try {
            was = phase;
            if (was == Phase.CLOSED && byUser && afterClose != null) {
                afterClose.cancel();                      // destroyed again before the connect could run
                afterClose = null;
            }
            if (was == Phase.CLOSED && byUser && !closeStarted && !closedByUser) {
                closeError = error;
                closedByUser = true;                      // a second destroy() is ignored, as in Node
            }
            if (was == Phase.CLOSED || leftBehind(connectionThread)) {
                return this;
            }
            // CONNECT not emitted yet counts as before the connection even when the handshake is done: the
            // writes made meanwhile have not left (emitConnected starts them)
            beforeConnect = was != Phase.CONNECTED || connectPending;
            phase = Phase.CLOSED;
            closeError = error;
            closedByUser = byUser;
            ch = channel;
            signalFlowChanged();
        } finally {
            lock.unlock();
        }
        IdleTimer t = timer;
        if (t != null) {
            Timers.cancel(t);
        }
        List<Callback> orphans = writes.fail();
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing is best effort; the descriptor is released either way
            }
        }
        boolean counted = was != Phase.NEW || server != null;
        events.post(() -> emitClose(orphans, beforeConnect, counted));
        return this;
    }

    private void emitClose(List<Callback> orphans, boolean beforeConnect, boolean counted) {
        Throwable error;
        lock.lock();
        try {
            closeStarted = true;                          // from now on a destroy() no longer changes the error
            error = closeError;
        } finally {
            lock.unlock();
        }
        Throwable callbackError = error != null ? error
                : beforeConnect ? Errors.closedBeforeConnection() : Errors.streamDestroyed();
        try {
            for (Callback cb : orphans) {
                try {
                    cb.done(callbackError);
                } catch (Throwable t) {
                    Threads.uncaught(t);
                }
            }
            if (error != null) {
                try {
                    emitError(error);
                } catch (Throwable t) {
                    Threads.uncaught(t);
                }
            }
            if (server != null) {
                server.connectionClosed();
            }
            closeEmitted = true;
            try {
                emitLifecycle(CLOSE, l -> l.onClose(error != null));
            } catch (Throwable t) {
                Threads.uncaught(t);
            }
        } finally {
            closeEmitted = true;
            if (counted) {
                Stats.SOCKETS.decrementAndGet();
            }
            connectingLifetime.deactivate();
            lifetime.deactivate();            // the JVM may exit once the close listeners ran
            runAfterClose();
        }
    }

    /** Runs a {@code connect} that waited for this {@code close} (taken under the lock its caller set it). */
    private void runAfterClose() {
        ConnectAfterClose next;
        lock.lock();
        try {
            next = afterClose;
            afterClose = null;
        } finally {
            lock.unlock();
        }
        if (next != null) {
            next.run();
        }
    }

    /** {@link EventQueue.Owner}: a listener threw: destroy this socket with it, or report it if already closed. */
    @Override
    public void taskFailed(Throwable t) {
        if (phase != Phase.CLOSED) {
            selfDestroy(t);
        } else if (!(t instanceof java.io.IOException)) {
            // An IOException from a listener of a socket that is already closed is the closing itself seen
            // through the socket's streams (a blocking-style handler reading a reset connection); its cause was
            // reported once, as ERROR. Anything else is a bug in the listener and goes to the handler.
            Threads.uncaught(t);
        }
    }

    /**
     * Whether the calling connection thread's read failure or EOF is this socket's: it is open and that thread
     * serves its current connection (not one closed before a reconnect).
     */
    boolean servedBy(@Nullable Thread connectionThread) {
        return phase != Phase.CLOSED && ioThread == connectionThread;
    }

    /** The read loop or connect failed with {@code error}. */
    void fail(Throwable error) {
        if (phase != Phase.CLOSED) {
            selfDestroy(error);
        }
    }

    /**
     * {@link #fail} from a connection's own thread: a no-op once the socket was connected again, so that the
     * previous connection's thread, waking from the channel its destroy closed (or from a connect that completed
     * too late), cannot fail the new connection.
     */
    void failFrom(@Nullable Thread connectionThread, Throwable error) {
        if (phase != Phase.CLOSED) {
            destroy(error, connectionThread, false);
        }
    }

    @Override
    public Socket destroySoon() {
        if (writable()) {
            destroyOnFinish = true;
            end();
        } else if (finished) {
            destroy();
        } else {
            destroyOnFinish = true;
        }
        return this;
    }

    @Override
    public Socket resetAndDestroy() {
        if (unix) {
            throw new NetException(NetException.ERR_INVALID_HANDLE_TYPE, "This handle type cannot be sent");
        }
        switch (phase) {
            case NEW -> destroy(Errors.socketClosed());
            case CONNECTING -> resetOnConnect = true;
            case CONNECTED -> {
                SocketChannel ch = channel;
                if (ch != null) {
                    try {
                        ch.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                    } catch (IOException | RuntimeException ignored) {
                        // the channel is already gone; destroy below still closes it
                    }
                }
                destroy();
            }
            case CLOSED -> { }
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------------------
    // flow

    @Override
    public Socket pause() {
        setFlow(FLOW_OFF);
        return this;
    }

    @Override
    public Socket resume() {
        setFlow(FLOW_ON);
        return this;
    }

    @Override
    public boolean isPaused() {
        return flow == FLOW_OFF;
    }

    // ---------------------------------------------------------------------------------------------------
    // timeout

    @Override
    public Socket setTimeout(Duration timeout) {
        return idleTimeout(timeout, null);
    }

    @Override
    public Socket setTimeout(Duration timeout, Listener listener) {
        return idleTimeout(timeout, Validate.function(listener, "callback"));
    }

    private Socket idleTimeout(Duration timeout, @Nullable Listener listener) {
        if (timeout == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"msecs\" argument must be of type number. Received null");
        }
        if (timeout.isNegative()) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE,
                    "The value of \"msecs\" is out of range. It must be a non-negative finite number. Received "
                            + timeout.toMillis());
        }
        if (phase == Phase.CLOSED) {
            return this;                          // Node: a no-op once destroyed
        }
        this.timeout = timeout;
        IdleTimer t = timer;
        if (t == null && !timeout.isZero()) {
            lock.lock();
            try {
                t = timer;
                if (t == null) {
                    t = new IdleTimer();
                    timer = t;
                }
            } finally {
                lock.unlock();
            }
        }
        if (timeout.isZero()) {
            if (t != null) {
                Timers.cancel(t);
            }
            if (listener != null) {
                off(TIMEOUT, listener);
            }
        } else {
            Timers.arm(Objects.requireNonNull(t), Timers.toNanos(timeout)); // created above for a non-zero timeout
            if (listener != null) {
                once(TIMEOUT, listener);
            }
        }
        return this;
    }

    @Override
    public @Nullable Duration timeout() {
        return timeout;
    }

    private void touchTimer() {
        IdleTimer t = timer;
        if (t != null) {
            t.touch();
        }
    }

    /** This socket's idle timer: emits {@code timeout} on the socket's event queue. */
    private final class IdleTimer extends Timers.Timeout {
        @Override
        void expired() {
            events.post(() -> {
                if (phase != Phase.CLOSED) {
                    emit(TIMEOUT, Listener::handle);
                }
            });
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // options

    @Override
    public Socket setNoDelay() {
        return setNoDelay(true);
    }

    @Override
    public Socket setNoDelay(boolean noDelay) {
        if (this.noDelay == noDelay) {
            return this;
        }
        this.noDelay = noDelay;
        SocketChannel ch = channel;
        if (ch != null && phase == Phase.CONNECTED) {
            SocketOptionsApplier.noDelay(ch, noDelay, unix);
        }
        return this;
    }

    @Override
    public Socket setKeepAlive(boolean enable) {
        return setKeepAlive(enable, Duration.ZERO);
    }

    @Override
    public Socket setKeepAlive(boolean enable, Duration initialDelay) {
        if (initialDelay == null) {                       // as the options' keepAliveInitialDelay(null)
            throw new NetException(NetException.ERR_INVALID_ARG_TYPE,
                    "The \"initialDelay\" argument must not be null. Received null");
        }
        if (initialDelay.isNegative()) {
            initialDelay = Duration.ZERO;
        }
        boolean changed = enable != keepAlive || (enable && !initialDelay.isZero()
                && initialDelay.toSeconds() != keepAliveDelay.toSeconds());
        keepAlive = enable;
        if (!initialDelay.isZero()) {
            keepAliveDelay = initialDelay;
        }
        SocketChannel ch = channel;
        if (changed && ch != null && phase == Phase.CONNECTED) {
            SocketOptionsApplier.keepAlive(ch, enable, keepAliveDelay, unix);
        }
        return this;
    }

    private void applySocketOptions(SocketChannel ch) {
        if (noDelay) {
            SocketOptionsApplier.noDelay(ch, true, unix);
        }
        if (keepAlive) {
            SocketOptionsApplier.keepAlive(ch, true, keepAliveDelay, unix);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // lifetime

    @Override
    public Socket unref() {
        lifetime.unref();
        return this;
    }

    @Override
    public Socket ref() {
        lifetime.ref();
        return this;
    }

    // ---------------------------------------------------------------------------------------------------
    // accessors

    private @Nullable AddressInfo local() {
        return Addresses.info(localAddr, v6Socket);
    }

    /**
     * The peer's address; an unnamed Unix peer (an accepted socket's client) is shown as the server's path.
     * Null while {@link #connecting()}: the connection thread may finish the handshake before the caller of
     * {@code connect()} even returns, but in Node the address appears only with the {@code connect} event.
     */
    private @Nullable AddressInfo remote() {
        if (connecting()) {
            return null;
        }
        AddressInfo r = Addresses.info(remoteAddr, v6Socket);
        if (r != null && r.isUnix() && r.address().isEmpty()) {
            AddressInfo l = local();
            if (l != null) {
                return l;
            }
        }
        return r;
    }

    @Override
    public @Nullable AddressInfo address() {
        SocketChannel ch = channel;
        return ch != null && ch.isOpen() && phase == Phase.CONNECTED ? local() : null;
    }

    @Override
    public @Nullable String remoteAddress() {
        AddressInfo r = remote();
        return r == null ? null : r.address();
    }

    @Override
    public @Nullable String remoteFamily() {
        AddressInfo r = remote();
        return r == null || r.isUnix() ? null : r.family();
    }

    @Override
    public int remotePort() {
        AddressInfo r = remote();
        return r == null ? 0 : r.port();
    }

    @Override
    public @Nullable String localAddress() {
        AddressInfo l = local();
        return l == null ? null : l.address();
    }

    @Override
    public int localPort() {
        AddressInfo l = local();
        return l == null ? 0 : l.port();
    }

    @Override
    public @Nullable String localFamily() {
        AddressInfo l = local();
        return l == null || l.isUnix() ? null : l.family();
    }

    @Override
    public long bytesRead() {
        return (long) BYTES_READ.getAcquire(this);
    }

    @Override
    public long bytesWritten() {
        return writes.accepted();
    }

    @Override
    public long writableLength() {
        return writes.length();
    }

    @Override
    public long bufferSize() {
        return writes.length();
    }

    @Override
    public ReadyState readyState() {
        if (connecting()) {
            return ReadyState.OPENING;
        }
        boolean r = readable();
        boolean w = writable();
        if (r && w) {
            return ReadyState.OPEN;
        }
        if (r) {
            return ReadyState.READ_ONLY;
        }
        return w ? ReadyState.WRITE_ONLY : ReadyState.CLOSED;
    }

    @Override
    public boolean connecting() {
        Phase p = phase;
        return p == Phase.CONNECTING || (p == Phase.CONNECTED && connectPending) || afterClose != null;
    }

    @Override
    public boolean pending() {
        return phase != Phase.CONNECTED || connectPending;
    }

    @Override
    public boolean destroyed() {
        return phase == Phase.CLOSED;
    }

    @Override
    public boolean readable() {
        return phase != Phase.CLOSED && !readEnded;
    }

    @Override
    public boolean writable() {
        return phase != Phase.CLOSED && !writeEnded;
    }

    @Override
    public boolean allowHalfOpen() {
        return options.allowHalfOpen();
    }

    @Override
    public @Nullable Server server() {
        return server;
    }

    @Override
    public String toString() {
        AddressInfo l = local();
        AddressInfo r = remote();
        return "Socket[" + id + " " + phase + (l == null ? "" : " " + l.address() + ":" + l.port())
                + (r == null ? "" : " -> " + r.address() + ":" + r.port()) + "]";
    }

}
