package dev.loomnet.loom;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Event;
import dev.loomnet.net.Listener;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Socket;
import java.nio.channels.SocketChannel;
import org.jspecify.annotations.Nullable;

/**
 * How a socket gets a connection: {@code connect()} (a new {@link Link}, or the first one of a never connected
 * socket; after a destroy, once its close ran), an accepted or adopted channel, and the connection thread's
 * steps until the connection is announced ({@code CONNECT}, or the server's {@code CONNECTION}). Stateless: it
 * changes the socket's current link and the link's {@link Lifecycle}, under the socket's lock.
 */
final class Connect {

    private Connect() {
    }

    /** A new connection of {@code socket}, in phase {@code start}. */
    static Link newLink(LoomSocket socket, Lifecycle.Phase start, boolean unix) {
        return new Link(socket, new Lifecycle(socket.lock, start), socket.options.highWaterMark(), unix);
    }

    /** {@code socket.connect(...)} with the arguments checked; {@code connectListener} may be null here. */
    static void start(LoomSocket socket, ConnectOptions options, @Nullable Listener connectListener) {
        if (options == null) {
            throw new NetException(NetException.ERR_MISSING_ARGS,
                    "The \"options\" or \"port\" or \"path\" argument must be specified");
        }
        Link l;
        socket.lock.lock();
        try {
            Link old = socket.link;
            if (old.afterClose() != null) {
                throw new NetException(NetException.ERR_INVALID_STATE,
                        "Invalid state: the socket is already connecting");
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
                case CLOSED -> l = newLink(socket, Lifecycle.Phase.CONNECTING, options.isPath());
                default -> {
                    // Node's connect revives a destroyed socket at once (_undestroy); loomnet after its close
                    old.afterClose(new ConnectAfterClose(() -> start(socket, options, connectListener)));
                    return;
                }
            }
            socket.link = l;
            l.host(options.isPath() ? null : options.host());
            socket.inbound.signal();                      // a thread of the previous connection stops waiting
        } finally {
            socket.lock.unlock();
        }
        socket.keepEventsIfLate(true);
        if (connectListener != null) {
            socket.onceInTime(Socket.CONNECT, connectListener);
        }
        if (options.timeout() != null) {
            socket.setTimeout(options.timeout());
        }
        Stats.SOCKETS.incrementAndGet();
        socket.lifetime.activate();
        socket.connectingLifetime.activate();
        socket.touched();
        if (l.life.writeEnded()) {
            // end() before connect() finished at once (Node: no handle to shut down); now there is one, so the
            // FIN goes out after the queued bytes
            l.writer.end(null);
        }
        ReadLoop.startClient(socket, l, options);
    }

    /** An accepted connection: counts as open from now on. */
    static void accepted(LoomSocket socket, SocketChannel ch, boolean v6Socket, boolean pauseOnConnect) {
        Link l = newLink(socket, Lifecycle.Phase.CONNECTING, Link.isUnix(ch));
        l.attach(ch);
        socket.link = l;
        if (pauseOnConnect) {
            socket.inbound.setFlow(Inbound.Flow.PAUSED);
        }
        Stats.SOCKETS.incrementAndGet();
        socket.lifetime.activate();
        ReadLoop.startAccepted(socket, l, ch, v6Socket);
    }

    /** An existing connected channel ({@code new Socket({fd})}): connected now, no CONNECT event. */
    static void adopt(LoomSocket socket, SocketChannel ch) {
        boolean unix = Link.isUnix(ch);
        Link l = newLink(socket, Lifecycle.Phase.CONNECTING, unix);
        socket.link = l;
        Stats.SOCKETS.incrementAndGet();
        socket.lifetime.activate();
        established(socket, l, ch, !unix && Addresses.isV6(ch), true);
        ReadLoop.startAdopted(socket, l, ch);
    }

    /**
     * A TLS socket taking over a plain one's connection ({@link TakeOver}): counted as open from now on, its
     * thread waits for the plain side, then handshakes (no {@code CONNECT}: the connection was made before).
     */
    static void upgrade(LoomTlsSocket socket, TakeOver from) {
        Link l = newLink(socket, Lifecycle.Phase.CONNECTING, from.plainLink.unix());
        socket.lock.lock();
        try {
            socket.link = l;
        } finally {
            socket.lock.unlock();
        }
        socket.keepEventsIfLate(true);
        Stats.SOCKETS.incrementAndGet();
        socket.lifetime.activate();
        ReadLoop.startUpgraded(socket, l, from);
    }

    /** The plain side of an upgrade is ready: the TLS socket's connection is open (false if destroyed). */
    static boolean upgraded(LoomSocket socket, Link l, SocketChannel ch, boolean v6Socket) {
        return established(socket, l, ch, v6Socket, true);
    }

    /**
     * Called by a connecting client's thread with an open, not yet connected channel; false if destroyed
     * meanwhile, or connected again (that thread was left behind).
     */
    static boolean attach(LoomSocket socket, Link l, SocketChannel ch) {
        socket.lock.lock();
        try {
            if (l.life.phase().destroyed() || !socket.serves(l)) {
                return false;
            }
            l.attach(ch);
            return true;
        } finally {
            socket.lock.unlock();
        }
    }

    /** The client's handshake is done (CONNECT follows), or the connection accepted; false if left. */
    static boolean established(LoomSocket socket, Link l, SocketChannel ch, boolean v6Socket) {
        return established(socket, l, ch, v6Socket, socket.server != null);
    }

    private static boolean established(LoomSocket socket, Link l, SocketChannel ch, boolean v6Socket,
                                       boolean announced) {
        socket.lock.lock();
        try {
            if (!socket.serves(l) || !l.life.established(announced)) {
                return false;
            }
            l.connected(ch, v6Socket);
            socket.inbound.signal();
        } finally {
            socket.lock.unlock();
        }
        socket.tcp.apply(l);
        socket.touched();
        Log.connectionOpened(socket, l);
        return true;
    }

    /** Emits {@code CONNECT} and {@code READY} on the event sequence, unless destroyed meanwhile (Node). */
    static void emitConnected(LoomSocket socket, Link l) throws Exception {
        socket.lock.lock();
        try {
            if (!socket.serves(l) || !l.life.announce()) {
                return;
            }
            socket.inbound.signal();                      // awaitConnected: the input stream may read from now on
        } finally {
            socket.lock.unlock();
        }
        // Writes made while connecting leave only now, with CONNECT (Node flushes them from a 'connect'
        // listener): a destroy() before it must send nothing and fail them with
        // ERR_SOCKET_CLOSED_BEFORE_CONNECTION. The writer is its own thread, so a connect listener that blocks
        // until its writes are flushed still gets them flushed.
        if (l.tls() == null) {
            l.writer.start();                             // TLS: after the handshake (Handshake.client)
        }
        socket.emitLifecycle(Socket.CONNECT, Listener::handle);
        socket.emitLifecycle(Socket.READY, Listener::handle);
    }

    /** Runs the server's {@code CONNECTION} listeners on the accepted socket's own thread. */
    static void emitConnection(LoomSocket socket) throws Exception {
        LoomServer s = socket.server;
        if (s != null && socket.link.life.phase() == Lifecycle.Phase.OPEN) {
            s.emitConnection(socket);
        }
    }

    /** The connect listeners ran: from now on only {@code ref()}/{@code unref()} decide. */
    static void connectDone(LoomSocket socket) {
        socket.connectingLifetime.deactivate();
    }

    static void emitAttempt(LoomSocket socket, Event<Socket, dev.loomnet.net.AttemptListener> event, String ip,
                            int port, int family,
                     @Nullable Throwable error) throws Exception {
        // Posted while connecting; a refused connect may destroy the socket before they run, and Node emits them
        // before the 'error': the closed phase must not swallow them.
        socket.emitLifecycle(event, l -> l.onAttempt(ip, port, family, error));
    }

    static void emitLookup(LoomSocket socket, @Nullable Throwable error, @Nullable String address, int family,
                           String host) throws Exception {
        socket.emitLifecycle(Socket.LOOKUP, l -> l.onLookup(error, address, family, host));
    }

    /** The client {@code blockList} check before connecting to {@code ip}: the error to fail with, or null. */
    static @Nullable NetException blockedByList(LoomSocket socket, String ip, int family) {
        dev.loomnet.net.BlockList list = socket.options.blockList();
        if (list != null && list.check(ip, family == 6 ? "ipv6" : "ipv4")) {
            return new NetException(NetException.ERR_IP_BLOCKED, "IP(" + ip + ") is blocked by net.BlockList");
        }
        return null;
    }

    /** Records an address tried by {@code autoSelectFamily}. */
    static void attempted(LoomSocket socket, Link l, String ipAndPort) {
        socket.lock.lock();
        try {
            l.attempted(ipAndPort);
        } finally {
            socket.lock.unlock();
        }
    }
}
