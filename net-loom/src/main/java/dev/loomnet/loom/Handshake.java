package dev.loomnet.loom;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Listener;
import dev.loomnet.net.TlsSocket;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * The TLS steps of a connection's own thread, between connecting (or accepting) and the read loop, in Node's
 * order. A client: {@code CONNECT} and {@code READY} (posted: their listeners run while the handshake goes on,
 * so one that blocks on the socket cannot hold the handshake up), the handshake, the writer (writes made so far
 * leave encrypted now), {@code SECURE_CONNECT}. A server's socket: the server's {@code CONNECTION} (posted, for
 * the same reason), the handshake, the writer, the server's {@code SECURE_CONNECTION}. The secure event is posted
 * before the writer starts, so that it precedes the {@code FINISH} of an {@code end()} made while handshaking.
 *
 * <p>A failed handshake is the client's {@code ERROR}. On a server it is Node's {@code tlsClientError} on the
 * server, and the socket closes without an {@code ERROR} of its own (Node destroys it without the error, which
 * only the server hears). A handshake ended by a {@code destroy()} reports nothing more.
 */
final class Handshake {

    private Handshake() {
    }

    /** The client's handshake over {@code ch}; false when the connection failed or was destroyed. */
    static boolean client(LoomSocket socket, Link link, SocketChannel ch, TlsContext context, ConnectOptions to)
            throws Exception {
        String host = to.path() != null ? "localhost" : Objects.requireNonNullElse(to.host(), "localhost");
        TlsChannel tls = TlsChannel.client(context, ch, host, to.port(), link.writer::flushTransport);
        link.secure(tls);
        socket.events.post(() -> Connect.emitConnected(socket, link));
        try {
            Jfr.handshake(socket, link, tls);
        } catch (RuntimeException e) {
            socket.events.runAndWait(() -> { });          // the CONNECT and READY posted above come first, as in Node
            Closer.fail(socket, link, e);                 // a no-op once destroyed
            return false;
        }
        // Posted before the writer starts: the FINISH of an end() made while handshaking is posted by the
        // writer, and must come after SECURE_CONNECT as in Node.
        socket.events.post(() -> {
            try {
                if (socket.serves(link) && link.life.phase() == Lifecycle.Phase.OPEN) {
                    socket.emitLifecycle(TlsSocket.SECURE_CONNECT, Listener::handle);
                    socket.emitLifecycle(TlsSocket.SECURE, Listener::handle);
                }
            } finally {
                Connect.connectDone(socket);
            }
        });
        link.writer.start();
        // The read loop reads ahead only once CONNECT has announced the connection: wait for the events posted
        // so far (CONNECT included), as a plain connection waits for its CONNECT, or a socket that nobody reads
        // would never see the peer's alert or EOF.
        socket.events.runAndWait(() -> { });
        return true;
    }

    /** The server side's handshake over the accepted {@code ch}; false when it failed or was destroyed. */
    static boolean server(LoomSocket socket, Link link, SocketChannel ch, TlsContext context) throws Exception {
        LoomTlsServer server = (LoomTlsServer) Objects.requireNonNull(socket.server);   // accepted: has one
        TlsChannel tls = TlsChannel.server(context, ch, link.writer::flushTransport);
        link.secure(tls);
        socket.events.post(() -> Connect.emitConnection(socket));
        try {
            Jfr.handshake(socket, link, tls);
        } catch (RuntimeException e) {
            if (!link.life.phase().destroyed()) {
                socket.events.runAndWait(() -> server.emitTlsClientError(e, socket));
                Closer.destroy(socket, link, null, false);
            }
            return false;
        }
        socket.events.post(() -> {                      // before the writer starts, as the client's
            if (socket.serves(link) && link.life.phase() == Lifecycle.Phase.OPEN) {
                server.emitSecureConnection(socket);
                socket.emitLifecycle(TlsSocket.SECURE, Listener::handle);
            }
        });
        link.writer.start();
        return true;
    }

    /**
     * The handshake of a connection taken over from a plain socket ({@link TakeOver}), on either side: no
     * {@code CONNECT} or {@code CONNECTION} (the connection was announced by the plain socket); a failure is the
     * socket's {@code ERROR}; then the client's {@code SECURE_CONNECT} and {@code SECURE}.
     */
    static boolean upgraded(LoomSocket socket, Link link, SocketChannel ch, TlsContext context, TakeOver from) {
        TlsChannel tls = from.server ? TlsChannel.server(context, ch, link.writer::flushTransport)
                : TlsChannel.client(context, ch, from.host(), from.port(), link.writer::flushTransport);
        tls.takenFrom(from);
        link.secure(tls);
        try {
            Jfr.handshake(socket, link, tls);
        } catch (RuntimeException e) {
            Closer.fail(socket, link, e);                 // a no-op once destroyed
            return false;
        }
        socket.events.post(() -> {
            if (socket.serves(link) && link.life.phase() == Lifecycle.Phase.OPEN) {
                if (!from.server) {
                    socket.emitLifecycle(TlsSocket.SECURE_CONNECT, Listener::handle);
                }
                socket.emitLifecycle(TlsSocket.SECURE, Listener::handle);
            }
        });
        link.writer.start();
        socket.events.runAndWait(() -> { });             // as a client: listeners first, then the read-ahead
        return true;
    }
}
