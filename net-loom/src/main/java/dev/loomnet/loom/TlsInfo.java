package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * What Node's {@code TLSSocket} tells about a finished handshake, taken from the engine once, on the handshake
 * thread; immutable afterwards, so any thread may read it.
 *
 * @param protocol           {@code TLSv1.2} or {@code TLSv1.3} ({@code getProtocol()})
 * @param cipher             the IANA name of the cipher suite (Node's {@code getCipher().standardName})
 * @param peerCertificates   the peer's chain, leaf first, empty when it sent none
 * @param alpnProtocol       the ALPN protocol agreed, or null ({@code alpnProtocol === false})
 * @param servername         client: the SNI name sent; server: the one the client asked for; or null
 * @param sessionReused      whether the handshake resumed an earlier session ({@code isSessionReused()})
 * @param authorized         whether the peer's certificate verified (Node's {@code authorized})
 * @param authorizationError why not, as Node's error (its code is Node's {@code authorizationError}), or null
 * @param session            the JDK session ({@code getSession()})
 */
record TlsInfo(String protocol, String cipher, List<X509Certificate> peerCertificates, @Nullable String alpnProtocol,
               @Nullable String servername, boolean sessionReused, boolean authorized,
               @Nullable NetException authorizationError, SSLSession session) {

    TlsInfo {
        peerCertificates = List.copyOf(peerCertificates);
    }

    /** Node's {@code authorizationError}: the code, or null. */
    @Nullable String authorizationErrorCode() {
        NetException e = authorizationError;
        return e == null ? null : e.code();
    }

    /**
     * Reads the engine after the handshake.
     *
     * @param startMillis when the handshake began: a session created before then was resumed
     * @param sentName    client: the SNI name sent; null on servers (read from the session)
     */
    static TlsInfo of(SSLEngine engine, long startMillis, @Nullable String sentName, boolean authorized,
                      @Nullable NetException authorizationError) {
        SSLSession session = engine.getSession();
        String alpn = engine.getApplicationProtocol();
        return new TlsInfo(session.getProtocol(), session.getCipherSuite(), peerChain(session),
                alpn == null || alpn.isEmpty() ? null : alpn,
                engine.getUseClientMode() ? sentName : requestedName(session),
                reused(session, startMillis), authorized, authorizationError, session);
    }

    /**
     * Whether {@code session} was resumed. The JDK keeps a session's creation time through every form of
     * resumption (TLS 1.2 by session id or ticket, TLS 1.3 by PSK, on both sides: the resumed session is the
     * cached object, a copy of it, or one rebuilt from a ticket that carries the time), and a full handshake
     * creates its session while it runs; so a session older than the handshake is a resumed one.
     */
    static boolean reused(SSLSession session, long startMillis) {
        return session.getCreationTime() < startMillis;
    }

    static List<X509Certificate> peerChain(SSLSession session) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            return List.of();                             // the peer sent no certificate
        }
        return chain;
    }

    private static @Nullable String requestedName(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    return host.getAsciiName();
                }
            }
        }
        return null;
    }
}
