package dev.loomnet.loom;

import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSocket;

/**
 * A {@link TlsServer}: a {@link LoomServer} whose accepted sockets are {@link LoomTlsSocket}s sharing one
 * {@link TlsContext}, which {@link #setSecureContext} and {@link #addContext} change for later handshakes.
 */
final class LoomTlsServer extends LoomServer implements TlsServer {

    private final TlsContext context;

    LoomTlsServer(ServerOptions options, TlsOptions tls) {
        super(options);
        this.context = TlsSetup.context(tls, true);
    }

    @Override
    LoomSocket newSocket(SocketOptions forSocket) {
        return new LoomTlsSocket(forSocket, this, context);
    }

    @Override
    public TlsServer setSecureContext(TlsOptions options) {
        context.setSecureContext(TlsSetup.config(Validate.notNull(options, "options"), true));
        return this;
    }

    @Override
    public TlsServer addContext(String hostname, TlsOptions options) {
        context.addContext(Validate.notNull(hostname, "hostname"),
                TlsSetup.config(Validate.notNull(options, "options"), true));
        return this;
    }

    /** Node's {@code tlsClientError}, on the accepted socket's thread (as {@code CONNECTION}). */
    void emitTlsClientError(Throwable error, LoomSocket socket) throws Exception {
        emit(TLS_CLIENT_ERROR, l -> l.onTlsClientError(error, (TlsSocket) socket));
    }

    /** Node's {@code secureConnection}, on the accepted socket's thread (as {@code CONNECTION}). */
    void emitSecureConnection(LoomSocket socket) throws Exception {
        emit(SECURE_CONNECTION, l -> l.onSecureConnection((TlsSocket) socket));
    }
}
