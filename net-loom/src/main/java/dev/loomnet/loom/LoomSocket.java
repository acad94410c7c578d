package dev.loomnet.loom;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.Callback;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.ErrorListener;
import dev.loomnet.net.Event;
import dev.loomnet.net.Listener;
import dev.loomnet.net.ReadyState;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.net.Writable;
import java.nio.ByteBuffer;
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
class LoomSocket extends Emitter<Socket> implements Socket, EventQueue.Owner {

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
    /** The current connection; replaced only by {@link Connect}, under the lock. */
    volatile Link link;
    /** Created by the first {@link #setTimeout}: a socket without a timeout carries no timer object. */
    private volatile @Nullable IdleTimer timer;
    /** Neighbours in the server's list of open connections ({@link OpenConnections}); under the server's lock. */
    @Nullable LoomSocket olderOpen;
    @Nullable LoomSocket newerOpen;
    private volatile @Nullable SocketInputStream input;
    private volatile @Nullable SocketOutputStream output;
    /** The charset of strings written without one ({@code setDefaultEncoding}). */
    private volatile Charset defaultEncoding = StandardCharsets.UTF_8;

    LoomSocket(SocketOptions options, @Nullable LoomServer server) {
        this.options = options;
        this.server = server;
        this.events = new EventQueue("events-", id, this);
        this.inbound = new Inbound(this, lock, options.onread() != null);
        this.tcp = new TcpOptions(options);
        this.link = Connect.newLink(this, Lifecycle.Phase.NEW, false);
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
    Event<Socket, ErrorListener> errorEvent() {
        return ERROR;
    }

    /** The TLS context of a TLS socket's connections; null for a plain socket. */
    @Nullable TlsContext tlsContext() {
        return null;
    }

    /** The plain connection this (TLS) socket took over, or null. */
    @Nullable TakeOver upgradedFrom() {
        return null;
    }

    /** Whether {@code l} is still this socket's connection (a thread of an earlier one was left behind). */
    boolean serves(Link l) {
        return link == l;
    }

    @Override
    void listenerAdded(Event<?, ?> event) {
        inbound.listenerAdded(event);
    }

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
        if (Aborts.refusesConnect(this, this.options.signal())) {
            return this;                                  // Node's connect is destroyed by the signal at once
        }
        Connect.start(this, options, connectListener);
        return this;
    }

    @Override
    public List<String> autoSelectFamilyAttemptedAddresses() {
        return link.attempted();
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
    public Socket setDefaultEncoding(Charset charset) {
        defaultEncoding = Validate.notNull(charset, "encoding");
        return this;
    }

    @Override
    public Charset defaultEncoding() {
        return defaultEncoding;
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
        lock.lock();
        try {
            if (input == null) {
                input = new SocketInputStream(this);
            }
            return input;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the blocking style reads this socket (then nothing reads ahead for it). */
    boolean hasInputStream() {
        return input != null;
    }

    @Override
    public java.io.OutputStream outputStream() {
        lock.lock();
        try {
            if (output == null) {
                output = new SocketOutputStream(this);
            }
            return output;
        } finally {
            lock.unlock();
        }
    }

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
        return Writes.write(this, Writes.encode(data, defaultEncoding), null);
    }

    @Override
    public boolean write(String data, Callback callback) {
        Validate.function(callback, "callback");
        return Writes.write(this, Writes.encode(data, defaultEncoding), callback);
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
    public Socket end(byte[] data, Callback callback) {
        Validate.function(callback, "callback");
        write(data);
        return end(callback);
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
        if (!destroyed()) {                               // Node: a no-op once destroyed
            IdleTimer t;
            lock.lock();
            try {
                t = timer == null ? new IdleTimer(this) : timer;
                timer = t;
            } finally {
                lock.unlock();
            }
            t.set(timeout, listener);
        }
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

    /** The idle timer, or null while {@link #setTimeout} was never called. */
    @Nullable IdleTimer idleTimer() {
        return timer;
    }

    @Override
    public Socket setNoDelay(boolean noDelay) {
        tcp.setNoDelay(noDelay, link);
        return this;
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

    @Override
    public @Nullable AddressInfo address() {
        return Addresses.bound(link);
    }

    @Override
    public @Nullable String remoteAddress() {
        return Addresses.address(Addresses.remote(link, connecting()));
    }

    @Override
    public @Nullable String remoteFamily() {
        return Addresses.family(Addresses.remote(link, connecting()));
    }

    @Override
    public int remotePort() {
        return Addresses.port(Addresses.remote(link, connecting()));
    }

    @Override
    public @Nullable String localAddress() {
        return Addresses.address(Addresses.local(link));
    }

    @Override
    public int localPort() {
        return Addresses.port(Addresses.local(link));
    }

    @Override
    public @Nullable String localFamily() {
        return Addresses.family(Addresses.local(link));
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
    public ReadyState readyState() {
        return connecting() ? ReadyState.OPENING : link.life.readyState();
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
    public @Nullable Boolean readableFlowing() {
        return switch (inbound.flow()) {
            case UNSET -> null;
            case FLOWING -> true;
            case PAUSED -> false;
        };
    }

    @Override
    public boolean readableEnded() {
        return link.life.readEnded();
    }

    @Override
    public boolean writableEnded() {
        return link.life.writeEnded();
    }

    @Override
    public boolean writableFinished() {
        return link.life.finishEmitted();
    }

    @Override
    public @Nullable Throwable errored() {
        return link.life.destroyError();
    }

    @Override
    public boolean writableNeedDrain() {
        return link.writer.drainOwed();
    }

    @Override
    public int writableCorked() {
        return link.writer.corks();
    }

    @Override
    public int writableHighWaterMark() {
        return options.highWaterMark();
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
        AddressInfo local = Addresses.local(link);
        return "Socket[" + id + " " + link.life.phase() + (local == null ? "" : " " + local.address() + ":" + local.port())
                + "]";
    }
}
