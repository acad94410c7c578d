package dev.loomnet.loom;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.DropInfo;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import org.jspecify.annotations.Nullable;

/**
 * Where loomnet commits its Flight Recorder events ({@link JfrEvents}). Each hook first asks whether its event
 * type is enabled, through a shared instance of the type (its {@code isEnabled()} reads the type's
 * configuration, not the instance), so that nothing is allocated or formatted while no recording wants the
 * event. The hooks run once per connection, server or failed accept, never per read or write: the byte counts
 * are the socket's own, read at close.
 */
final class Jfr {

    private static final JfrEvents.Connection CONNECTION = new JfrEvents.Connection();
    private static final JfrEvents.ServerListening LISTENING = new JfrEvents.ServerListening();
    private static final JfrEvents.ServerClosed SERVER_CLOSED = new JfrEvents.ServerClosed();
    private static final JfrEvents.Drop DROP = new JfrEvents.Drop();
    private static final JfrEvents.AcceptFailed ACCEPT_FAILED = new JfrEvents.AcceptFailed();
    private static final JfrEvents.TlsHandshake TLS_HANDSHAKE = new JfrEvents.TlsHandshake();

    private Jfr() {
    }

    /** Loads this class and the event types, while descriptors are free (a class file may need one). */
    static void load() {
        // the static initializer did it
    }

    /** The close task of {@code link} runs, with the close's {@code error}; a link never connected records nothing. */
    static void connectionClosed(LoomSocket socket, Link link, @Nullable Throwable error) {
        long connectedAt = link.connectedAt();
        if (connectedAt == 0 || !CONNECTION.isEnabled()) {
            return;
        }
        JfrEvents.Connection e = new JfrEvents.Connection();
        e.connectedFor = System.nanoTime() - connectedAt;
        e.socketId = socket.id;
        e.side = side(socket);
        AddressInfo local = Addresses.local(link);
        if (local != null) {
            e.localAddress = local.address();
            e.localPort = local.port();
        }
        AddressInfo remote = Addresses.remote(link, false);
        if (remote != null) {
            e.remoteAddress = remote.address();
            e.remotePort = remote.port();
        }
        e.tls = link.tls() != null;
        e.bytesRead = link.bytesRead();
        e.bytesWritten = link.writer.accepted();
        e.ending = Ending.of(socket, link, error).toString();
        e.errorCode = Ending.code(error);
        e.commit();
    }

    /** {@code server} is about to emit {@code LISTENING} on {@code address}. */
    static void serverListening(long serverId, @Nullable AddressInfo address, boolean tls) {
        if (!LISTENING.isEnabled()) {
            return;
        }
        JfrEvents.ServerListening e = new JfrEvents.ServerListening();
        e.serverId = serverId;
        if (address != null) {
            e.address = address.address();
            e.port = address.port();
        }
        e.tls = tls;
        e.commit();
    }

    /** A server is about to emit {@code CLOSE}. */
    static void serverClosed(long serverId, @Nullable AddressInfo lastAddress, long accepted, long dropped) {
        if (!SERVER_CLOSED.isEnabled()) {
            return;
        }
        JfrEvents.ServerClosed e = new JfrEvents.ServerClosed();
        e.serverId = serverId;
        if (lastAddress != null) {
            e.address = lastAddress.address();
            e.port = lastAddress.port();
        }
        e.connectionsAccepted = accepted;
        e.connectionsDropped = dropped;
        e.commit();
    }

    /** Node's {@code 'drop'}; {@code info} is null for a Unix socket or a peer already gone. */
    static void drop(long serverId, @Nullable DropInfo info, int maxConnections) {
        if (!DROP.isEnabled()) {
            return;
        }
        JfrEvents.Drop e = new JfrEvents.Drop();
        e.serverId = serverId;
        if (info != null) {
            e.localAddress = info.localAddress();
            e.localPort = info.localPort();
            e.remoteAddress = info.remoteAddress();
            e.remotePort = info.remotePort();
        }
        e.maxConnections = maxConnections;
        e.commit();
    }

    /**
     * {@code accept} on {@code channel} failed with {@code code}; {@code closed} waiting connections were closed
     * for lack of descriptors (-1: that could not run), {@code reported}: the failure becomes {@code ERROR}.
     */
    static void acceptFailed(ServerSocketChannel channel, String code, int closed, boolean reported) {
        if (!ACCEPT_FAILED.isEnabled()) {
            return;
        }
        JfrEvents.AcceptFailed e = new JfrEvents.AcceptFailed();
        try {
            AddressInfo at = Addresses.info(channel.getLocalAddress(), false);
            if (at != null) {
                e.address = at.address();
                e.port = at.port();
            }
        } catch (IOException closedMeanwhile) {
            // recorded without the address
        }
        e.errorCode = code;
        e.connectionsClosed = Math.max(closed, 0);
        e.reported = reported;
        e.commit();
    }

    /**
     * Runs {@code tls}'s handshake ({@link TlsChannel#handshake()}) on the calling thread, recording it: its
     * duration, what it agreed, or the code it failed with (the failure propagates).
     */
    static void handshake(LoomSocket socket, Link link, TlsChannel tls) {
        if (!TLS_HANDSHAKE.isEnabled()) {
            tls.handshake();
            return;
        }
        JfrEvents.TlsHandshake e = new JfrEvents.TlsHandshake();
        e.begin();
        try {
            tls.handshake();
        } catch (RuntimeException failure) {
            e.errorCode = Ending.code(failure);
            commit(e, socket, link);
            throw failure;
        }
        TlsInfo info = tls.info();
        e.protocol = info.protocol();
        e.cipher = info.cipher();
        e.resumed = info.sessionReused();
        commit(e, socket, link);
    }

    private static void commit(JfrEvents.TlsHandshake e, LoomSocket socket, Link link) {
        e.end();
        if (e.shouldCommit()) {
            e.socketId = socket.id;
            e.side = side(socket);
            AddressInfo remote = Addresses.remote(link, false);
            if (remote != null) {
                e.remoteAddress = remote.address();
                e.remotePort = remote.port();
            }
            e.commit();
        }
    }

    private static String side(LoomSocket socket) {
        return socket.server != null ? "server" : "client";
    }
}
