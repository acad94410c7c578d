package dev.loomnet.loom;

import dev.loomnet.net.SocketOptions;
import dev.loomnet.net.TlsSession;
import dev.loomnet.net.TlsSocket;
import java.security.cert.X509Certificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TlsSocket}: a {@link LoomSocket} whose connections run TLS ({@link Handshake}, then every read and
 * write through the connection's {@link TlsChannel}). What the handshake established is read from the current
 * connection; before its handshake finished the answers are Node's "not yet" values.
 */
final class LoomTlsSocket extends LoomSocket implements TlsSocket {

    private final TlsContext context;
    /**
     * The plain connection this socket took over (STARTTLS), or null. Set once, before its thread starts and
     * before the socket is returned: a plain field, as {@link #touched} reads it on every read and write.
     */
    private @Nullable TakeOver from;

    LoomTlsSocket(SocketOptions options, @Nullable LoomServer server, TlsContext context) {
        super(options, server);
        this.context = context;
    }

    /** This socket takes over {@code to}'s plain connection; before it starts. */
    void upgradedFrom(TakeOver to) {
        from = to;
    }

    @Override
    @Nullable TakeOver upgradedFrom() {
        return from;
    }

    /** Activity here is the plain socket's too: its idle timer goes on watching the connection. */
    @Override
    void touched() {
        super.touched();
        TakeOver f = from;
        if (f != null) {
            f.plain.touched();
        }
    }

    @Override
    TlsContext tlsContext() {
        return context;
    }

    /** The current connection's handshake result, or null before it finished (or when it failed). */
    private @Nullable TlsInfo info() {
        TlsChannel tls = link.tls();
        return tls == null || tls.phase() != TlsChannel.Phase.OPEN ? null : tls.info();
    }

    @Override
    public boolean authorized() {
        TlsInfo i = info();
        return i != null && i.authorized();
    }

    @Override
    public @Nullable String authorizationError() {
        TlsInfo i = info();
        return i == null ? null : i.authorizationErrorCode();
    }

    @Override
    public @Nullable String alpnProtocol() {
        TlsInfo i = info();
        return i == null ? null : i.alpnProtocol();
    }

    @Override
    public @Nullable String servername() {
        TlsInfo i = info();
        return i == null ? null : i.servername();
    }

    @Override
    public List<X509Certificate> getPeerCertificate() {
        TlsInfo i = info();
        return i == null ? List.of() : i.peerCertificates();
    }

    @Override
    public @Nullable String getProtocol() {
        TlsInfo i = info();
        return i == null ? null : i.protocol();
    }

    @Override
    public @Nullable Cipher getCipher() {
        TlsInfo i = info();
        return i == null ? null : new Cipher(TlsCipherNames.openSsl(i.cipher()), i.cipher(), i.protocol());
    }

    @Override
    public boolean isSessionReused() {
        TlsInfo i = info();
        return i != null && i.sessionReused();
    }

    @Override
    public @Nullable TlsSession getSession() {
        TlsChannel tls = link.tls();
        return tls == null || tls.phase() != TlsChannel.Phase.OPEN ? null : new TlsSetup.Session(tls.resumption());
    }

    @Override
    public boolean encrypted() {
        return true;
    }

    @Override
    public List<X509Certificate> getCertificate() {
        TlsInfo i = info();
        java.security.cert.Certificate[] local = i == null ? null : i.session().getLocalCertificates();
        if (local == null) {
            return List.of();
        }
        return java.util.Arrays.stream(local).filter(X509Certificate.class::isInstance)
                .map(X509Certificate.class::cast).toList();
    }
}
