package dev.loomnet.loom;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.Callback;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.ErrorListener;
import dev.loomnet.net.Event;
import dev.loomnet.net.Listener;
import dev.loomnet.net.NetException;
import dev.loomnet.net.ReadyState;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.net.Writable;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Socket}: its methods' argument checks and overloads, and the pieces that do the work. The current
 * connection is a {@link Link}, with its {@link Lifecycle} and {@link Writer}; a reconnect makes a new one. The
 * readable side across connections is {@link Inbound}; the connection's thread runs {@link ReadLoop} (and
 * {@link Connector} for a client); writes follow {@link Writes}' rules; destroying and the close event are
 * {@link Closer}'s; events go through {@link EventQueue}.
 *
 * <p>One lock per socket guards the link's lifecycle, the writer, the flow and the pipes; its order and the
 * threads are listed in the package documentation.
 */
final class LoomSocket extends Emitter<Socket> implements Socket, EventQueue.Owner {

    private static final AtomicLong IDS = new AtomicLong();

    final long id = IDS.incrementAndGet();
    final SocketOptions options;
    final @Nullable LoomServer server;
    final EventQueue events;
    /** Guards the link's lifecycle, its writer, the flow and the pipes. */
    final ReentrantLock lock = new ReentrantLock();
    /** Held around every read of the channel, by the read loop or the input stream: one reader at a time. */
    final ReentrantLock readLock = new ReentrantLock();
    final Inbound inbound;
    final Lifetime.Ref lifetime = new Lifetime.Ref();
    /**
     * Keeps the JVM alive from {@code connect()} until the {@code connect} listeners ran (or the socket closed),
     * whatever {@link #unref()} says: in Node the pending lookup and connect requests keep the loop alive, and
     * an {@code unref()} made before {@code connect()} applies once connected.
     */
    final Lifetime.Ref connectingLifetime = new Lifetime.Ref();
    final TcpOptions tcp;
    /** The current connection; replaced by a reconnect. */
    private volatile Link link;
    /** Created by the first {@link #setTimeout}: a socket without a timeout carries no timer object. */
    private volatile @Nullable IdleTimer timer;
    private volatile @Nullable SocketInputStream input;
    private volatile @Nullable SocketOutputStream output;

    LoomSocket(SocketOptions options, @Nullable LoomServer server) {
        this.options = options;
        this.server = server;
        this.events = new EventQueue("events-", id, this);
        this.inbound = new Inbound(this, lock, options.onread() != null);
        this.tcp = new TcpOptions(options);
        this.link = newLink(Lifecycle.Phase.NEW, false);
        if (server == null) {
            keepEventsIfLate(false);                      // an accepted socket's tick is its CONNECTION listener
        }
    }

    private Link newLink(Lifecycle.Phase start, boolean unix) {
        return new Link(this, new Lifecycle(lock, start), options.highWaterMark(), unix);
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
    Event<Socket, ErrorListener> errorEvent() {
        return ERROR;
    }

    /** The current connection. */
    Link link() {
        return link;
    }

    /** Whether {@code l} is still this socket's connection (a thread of an earlier one was left behind). */
    boolean serves(Link l) {
        return link == l;
    }

    @Override
    void listenerAdded(Event<?, ?> event) {
        inbound.listenerAdded(event);
    }

    // ---------------------------------------------------------------------------------------------------
    // connecting

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
        Link l;
        lock.lock();
        try {
            Link old = link;
            if (old.afterClose() != null) {
                throw new NetException(NetException.ERR_INVALID_STATE, "Invalid state: the socket is already connecting");
            }
            switch (old.life.phase()) {
                case NEW -> {
                    old.life.connect();
                    old.connectsTo(options.isPath());
                    l = old;
                }
                case CONNECTING, ESTABLISHED, OPEN -> throw new NetException(NetException.ERR_INVALID_STATE,
                        "Invalid state: the socket is already "
                                + (old.life.phase() == Lifecycle.Phase.OPEN ? "connected" : "connecting"));
                case CLOSED -> l = newLink(Lifecycle.Phase.CONNECTING, options.isPath());
                default -> {
                    // Node's connect revives a destroyed socket at once (_undestroy); loomnet after its close
                    old.afterClose(new ConnectAfterClose(() -> start(options, connectListener)));
                    return this;
                }
            }
            link = l;
            inbound.signal();                             // a thread of the previous connection stops waiting
        } finally {
            lock.unlock();
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
        touched();
        if (l.life.writeEnded()) {
            // end() before connect() finished at once (Node: no handle to shut down); now there is one, so the
            // FIN goes out after the queued bytes
            l.writer.end(null);
        }
        ReadLoop.startClient(this, l, options);
        return this;
    }

    /** An accepted connection: counts as open from now on. */
    void accepted(SocketChannel ch, boolean v6Socket, boolean pauseOnConnect) {
        Link l = newLink(Lifecycle.Phase.CONNECTING, Link.isUnix(ch));
        l.attach(ch);
        link = l;
        if (pauseOnConnect) {
            inbound.setFlow(Inbound.Flow.PAUSED);
        }
        Stats.SOCKETS.incrementAndGet();
        lifetime.activate();
        ReadLoop.startAccepted(this, l, ch, v6Socket);
    }

    /** An existing connected channel ({@code new Socket({fd})}): connected now, no CONNECT event. */
    void adopt(SocketChannel ch) {
        boolean unix = Link.isUnix(ch);
        Link l = newLink(Lifecycle.Phase.CONNECTING, unix);
        link = l;
        Stats.SOCKETS.incrementAndGet();
        lifetime.activate();
        boolean v6 = !unix && Addresses.isV6(ch);
        established(l, ch, v6, true);
        ReadLoop.startAdopted(this, l, ch);
    }

    /**
     * Called by a connecting client's thread with an open, not yet connected channel; false if destroyed
     * meanwhile, or connected again (that thread was left behind).
     */
    boolean attach(Link l, SocketChannel ch) {
        lock.lock();
        try {
            if (l.life.phase().destroyed() || !serves(l)) {
                return false;
            }
            l.attach(ch);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The client's handshake is done (CONNECT follows), or the connection accepted; false if left. */
    boolean established(Link l, SocketChannel ch, boolean v6Socket) {
        return established(l, ch, v6Socket, server != null);
    }

    private boolean established(Link l, SocketChannel ch, boolean v6Socket, boolean announced) {
        lock.lock();
        try {
            if (!serves(l) || !l.life.established(announced)) {
                return false;
            }
            l.connected(ch, v6Socket);
            inbound.signal();
        } finally {
            lock.unlock();
        }
        tcp.apply(l);
        touched();
        return true;
    }

    /** Emits {@code CONNECT} and {@code READY} on the event sequence, unless destroyed meanwhile (Node). */
    void emitConnected(Link l) throws Exception {
        lock.lock();
        try {
            if (!serves(l) || !l.life.announce()) {
                return;
            }
            inbound.signal();                             // awaitConnected: the input stream may read from now on
        } finally {
            lock.unlock();
        }
        // Writes made while connecting leave only now, with CONNECT (Node flushes them from a 'connect'
        // listener): a destroy() before it must send nothing and fail them with
        // ERR_SOCKET_CLOSED_BEFORE_CONNECTION. The writer is its own thread, so a connect listener that blocks
        // until its writes are flushed still gets them flushed.
        l.writer.start();
        emitLifecycle(CONNECT, Listener::handle);
        emitLifecycle(READY, Listener::handle);
    }

    /** Runs the server's {@code CONNECTION} listeners on the accepted socket's own thread. */
    void emitConnection() throws Exception {
        LoomServer s = server;
        if (s != null && link.life.phase() == Lifecycle.Phase.OPEN) {
            s.emitConnection(this);
        }
    }

    /** The connect listeners ran: from now on only {@link #ref()}/{@link #unref()} decide. */
    void connectDone() {
        connectingLifetime.deactivate();
    }

    void emitAttempt(Event<Socket, dev.loomnet.net.AttemptListener> event, String ip, int port, int family,
                     @Nullable Throwable error) throws Exception {
        // Posted while connecting; a refused connect may destroy the socket before they run, and Node emits them
        // before the 'error': the closed phase must not swallow them.
        emitLifecycle(event, l -> l.onAttempt(ip, port, family, error));
    }

    void emitLookup(@Nullable Throwable error, @Nullable String address, int family, String host) throws Exception {
        emitLifecycle(LOOKUP, l -> l.onLookup(error, address, family, host));
    }

    /** The client {@code blockList} check before connecting to {@code ip}: the error to fail with, or null. */
    @Nullable NetException blockedByList(String ip, int family) {
        dev.loomnet.net.BlockList list = options.blockList();
        if (list != null && list.check(ip, family == 6 ? "ipv6" : "ipv4")) {
            return new NetException(NetException.ERR_IP_BLOCKED, "IP(" + ip + ") is blocked by net.BlockList");
        }
        return null;
    }

    /** Records an address tried by {@code autoSelectFamily}. */
    void attempted(Link l, String ipAndPort) {
        lock.lock();
        try {
            l.attempted(ipAndPort);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> autoSelectFamilyAttemptedAddresses() {
        lock.lock();
        try {
            return link.attempted();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // reading

    /** {@code n} bytes were read on {@code l} (under the read lock). */
    void readBytes(Link l, int n) {
        l.addBytesRead(n);
        touched();
    }

    /**
     * Whether the read loop of {@code l} should read ahead: connected, nobody reads yet (no {@code DATA} or
     * {@code TEXT} listener, no pipe, not resumed, not paused, no input stream), nothing read ahead waiting.
     * Node starts reading when a socket connects, so a peer's FIN or reset is seen even on a socket nobody
     * reads: a client that only writes learns that the server went away, a server that only writes closes. A
     * client's {@code END} may come before the code that connected it added its listener: that code's listeners
     * get it anyway, as the events of a socket connected from a plain thread are kept ({@link KeptEvents}).
     */
    boolean wantsReadAhead(Link l) {
        return inbound.flow() == Inbound.Flow.UNSET && input == null && l.life.phase() == Lifecycle.Phase.OPEN
                && l.readAheadEmpty();
    }

    /** The peer's FIN was read after all data: emit {@code END}, end our side unless half-open, maybe close. */
    void emitEnd(Link l) throws Exception {
        if (!serves(l) || !l.life.readEnd()) {
            return;                                       // a reconnect came meanwhile, or emitted already
        }
        try {
            inbound.emitTextTail();
            emitLifecycle(END, Listener::handle);
        } finally {
            if (!options.allowHalfOpen() && !l.life.phase().destroyed()) {
                end();
            }
            Closer.closeIfDone(this, l);
        }
    }

    @Override
    public Socket pause() {
        inbound.setFlow(Inbound.Flow.PAUSED);
        return this;
    }

    @Override
    public Socket resume() {
        inbound.setFlow(Inbound.Flow.FLOWING);
        return this;
    }

    @Override
    public boolean isPaused() {
        return inbound.flow() == Inbound.Flow.PAUSED;
    }

    @Override
    public Socket setEncoding(Charset charset) {
        inbound.setEncoding(Validate.notNull(charset, "encoding"));
        return this;
    }

    @Override
    public Charset encoding() {
        return inbound.encoding();
    }

    @Override
    public <W extends Writable> W pipe(W destination) {
        return pipe(destination, true);
    }

    @Override
    public <W extends Writable> W pipe(W destination, boolean end) {
        inbound.pipe(new Pipe(this, Validate.notNull(destination, "destination"), end));
        return destination;
    }

    @Override
    public Socket unpipe() {
        inbound.unpipeAll();
        return this;
    }

    @Override
    public Socket unpipe(Writable destination) {
        inbound.unpipe(destination);
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
    // writing: Writes

    @Override
    public boolean write(byte[] data) {
        return Writes.write(this, data, null);
    }

    @Override
    public boolean write(byte[] data, Callback callback) {
        return Writes.write(this, data, Validate.function(callback, "callback"));
    }

    @Override
    public boolean write(String data) {
        return Writes.write(this, Writes.encode(data, StandardCharsets.UTF_8), null);
    }

    @Override
    public boolean write(String data, Callback callback) {
        Validate.function(callback, "callback");
        return Writes.write(this, Writes.encode(data, StandardCharsets.UTF_8), callback);
    }

    @Override
    public boolean write(String data, Charset charset) {
        return Writes.write(this, Writes.encode(data, charset), null);
    }

    @Override
    public boolean write(String data, Charset charset, Callback callback) {
        Validate.function(callback, "callback");
        return Writes.write(this, Writes.encode(data, charset), callback);
    }

    /** Writes bytes the caller keeps only for the duration of the call (a pipe's reused read buffer). */
    boolean writeBorrowed(ByteBuffer data) {
        return Writes.writeBorrowed(this, data);
    }

    @Override
    public Socket end() {
        Writes.end(this, null);
        return this;
    }

    @Override
    public Socket end(Callback callback) {
        Writes.end(this, Validate.function(callback, "callback"));
        return this;
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
        link.writer.cork();
        return this;
    }

    @Override
    public Socket uncork() {
        Writes.uncork(this);
        return this;
    }

    @Override
    public Socket onceDrain(Listener listener) {
        Writes.onceDrain(this, Validate.function(listener, "listener"));
        return this;
    }

    // ---------------------------------------------------------------------------------------------------
    // destroying: Closer

    @Override
    public Socket destroy() {
        Closer.destroy(this, link, null, true);
        return this;
    }

    @Override
    public Socket destroy(@Nullable Throwable error) {
        Closer.destroy(this, link, error, true);
        return this;
    }

    /** The connection {@code l} failed (a read, a connect): destroys it, unless it is no longer the socket's. */
    void fail(Link l, Throwable error) {
        if (serves(l)) {
            Closer.destroy(this, l, error, false);
        }
    }

    @Override
    public Socket destroySoon() {
        Closer.destroySoon(this, link);
        return this;
    }

    @Override
    public Socket resetAndDestroy() {
        Closer.resetAndDestroy(this, link);
        return this;
    }

    /** {@link EventQueue.Owner}: a listener threw: destroy this socket with it, or report it if already closed. */
    @Override
    public void taskFailed(Throwable t) {
        Closer.listenerFailed(this, link, t);
    }

    /** {@link EventQueue.Owner}: the connection thread parked for the flow runs the queue. */
    @Override
    public boolean takeRun() {
        return inbound.takeRun();
    }

    // ---------------------------------------------------------------------------------------------------
    // timeout, options, lifetime

    @Override
    public Socket setTimeout(Duration timeout) {
        return idleTimeout(timeout, null);
    }

    @Override
    public Socket setTimeout(Duration timeout, Listener listener) {
        return idleTimeout(timeout, Validate.function(listener, "callback"));
    }

    private Socket idleTimeout(Duration timeout, @Nullable Listener listener) {
        IdleTimer.check(timeout);
        if (destroyed()) {
            return this;                                  // Node: a no-op once destroyed
        }
        IdleTimer t = timer;
        if (t == null) {
            lock.lock();
            try {
                t = timer;
                if (t == null) {
                    t = new IdleTimer(this);
                    timer = t;
                }
            } finally {
                lock.unlock();
            }
        }
        t.set(timeout, listener);
        return this;
    }

    @Override
    public @Nullable Duration timeout() {
        IdleTimer t = timer;
        return t == null ? null : t.timeout();
    }

    /** Activity: the idle timer starts over. */
    void touched() {
        IdleTimer t = timer;
        if (t != null) {
            t.touch();
        }
    }

    /** Stops the idle timer for good (the socket is destroyed). */
    void stopTimer() {
        IdleTimer t = timer;
        if (t != null) {
            t.cancel();
        }
    }

    @Override
    public Socket setNoDelay() {
        return setNoDelay(true);
    }

    @Override
    public Socket setNoDelay(boolean noDelay) {
        tcp.setNoDelay(noDelay, link);
        return this;
    }

    @Override
    public Socket setKeepAlive(boolean enable) {
        return setKeepAlive(enable, Duration.ZERO);
    }

    @Override
    public Socket setKeepAlive(boolean enable, Duration initialDelay) {
        tcp.setKeepAlive(enable, Validate.notNull(initialDelay, "initialDelay"), link);
        return this;
    }

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

    @Override
    public @Nullable AddressInfo address() {
        Link l = link;
        SocketChannel ch = l.channel();
        Lifecycle.Phase p = l.life.phase();
        return ch != null && ch.isOpen() && (p == Lifecycle.Phase.ESTABLISHED || p == Lifecycle.Phase.OPEN)
                ? Addresses.local(l) : null;
    }

    @Override
    public @Nullable String remoteAddress() {
        AddressInfo r = Addresses.remote(link, connecting());
        return r == null ? null : r.address();
    }

    @Override
    public @Nullable String remoteFamily() {
        AddressInfo r = Addresses.remote(link, connecting());
        return r == null || r.isUnix() ? null : r.family();
    }

    @Override
    public int remotePort() {
        AddressInfo r = Addresses.remote(link, connecting());
        return r == null ? 0 : r.port();
    }

    @Override
    public @Nullable String localAddress() {
        AddressInfo l = Addresses.local(link);
        return l == null ? null : l.address();
    }

    @Override
    public int localPort() {
        AddressInfo l = Addresses.local(link);
        return l == null ? 0 : l.port();
    }

    @Override
    public @Nullable String localFamily() {
        AddressInfo l = Addresses.local(link);
        return l == null || l.isUnix() ? null : l.family();
    }

    @Override
    public long bytesRead() {
        return link.bytesRead();
    }

    @Override
    public long bytesWritten() {
        return link.writer.accepted();
    }

    @Override
    public long writableLength() {
        return link.writer.length();
    }

    @Override
    public long bufferSize() {
        return link.writer.length();
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
        Link l = link;
        return l.life.phase().connecting() || l.afterClose() != null;
    }

    @Override
    public boolean pending() {
        return link.life.phase() != Lifecycle.Phase.OPEN;
    }

    @Override
    public boolean destroyed() {
        return link.life.phase().destroyed();
    }

    @Override
    public boolean readable() {
        Lifecycle life = link.life;
        return !life.phase().destroyed() && !life.readEnded();
    }

    @Override
    public boolean writable() {
        Lifecycle life = link.life;
        return !life.phase().destroyed() && !life.writeEnded();
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
        Link l = link;
        AddressInfo local = Addresses.local(l);
        AddressInfo remote = Addresses.remote(l, connecting());
        return "Socket[" + id + " " + l.life.phase() + (local == null ? "" : " " + local.address() + ":" + local.port())
                + (remote == null ? "" : " -> " + remote.address() + ":" + remote.port()) + "]";
    }
}
