package dev.loomnet.net;

import java.security.cert.X509Certificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Node's {@code tls.TLSSocket}: a {@link Socket} whose bytes are encrypted, with the same events,
 * backpressure, half-close and timeouts, plus a handshake. {@code write}, {@code bufferSize()} and
 * {@code DRAIN} count plaintext; {@code end()} sends {@code close_notify} then the FIN, and the peer's
 * {@code close_notify} is {@link #END}. Writes made before the handshake finished wait for it, as in Node.
 *
 * <p>A client ({@link Tls#connect}) emits {@link #CONNECT} when the TCP connection is up, then
 * {@link #SECURE_CONNECT} after the handshake; a failed handshake is {@link #ERROR} with Node's code. A
 * server's socket is announced by {@link TlsServer#SECURE_CONNECTION}. Every TLS socket then emits
 * {@link #SECURE}. The accessors below answer once the handshake finished; before, they return their empty
 * values.
 */
public interface TlsSocket extends Socket {

    /** Emitted once the handshake finished and the peer was verified as asked ({@code 'secureConnect'}). */
    Event.Valued<Socket, Listener, @Nullable Void> SECURE_CONNECT = Event.of("secureConnect");

    /**
     * Emitted by every TLS socket once its handshake finished ({@code 'secure'}), after {@link #SECURE_CONNECT}
     * or the server's {@link TlsServer#SECURE_CONNECTION}: the event to wait for on a socket made by
     * {@link Tls#accept(Socket, TlsOptions)}, which has neither.
     */
    Event.Valued<Socket, Listener, @Nullable Void> SECURE = Event.of("secure");

    /**
     * Node's {@code authorized}: whether the peer's certificate verified against the trusted authorities.
     *
     * @return true if verified
     */
    boolean authorized();

    /**
     * Node's {@code authorizationError}: why the peer's certificate did not verify, as OpenSSL's code (such as
     * {@code UNABLE_TO_VERIFY_LEAF_SIGNATURE}), when {@link #authorized()} is false; else null.
     *
     * @return the code, or null
     */
    @Nullable String authorizationError();

    /**
     * Node's {@code alpnProtocol}: the protocol ALPN agreed on.
     *
     * @return the protocol, or null when none was agreed (Node: {@code false})
     */
    @Nullable String alpnProtocol();

    /**
     * Node's {@code servername}: the SNI name the client sent (on a server: the one it received).
     *
     * @return the name, or null
     */
    @Nullable String servername();

    /**
     * Node's {@code getPeerCertificate()}: the peer's certificate chain, leaf first (the JDK's certificates
     * rather than Node's objects).
     *
     * @return the chain; empty when the peer sent none
     */
    List<X509Certificate> getPeerCertificate();

    /**
     * Node's {@code getProtocol()}: {@code "TLSv1.2"} or {@code "TLSv1.3"}.
     *
     * @return the protocol, or null before the handshake finished
     */
    @Nullable String getProtocol();

    /**
     * Node's {@code getCipher()}: the cipher suite, with OpenSSL's name as in Node (such as
     * {@code ECDHE-RSA-AES128-GCM-SHA256}; TLS 1.3 suites such as {@code TLS_AES_128_GCM_SHA256} have one name)
     * and its IANA name.
     *
     * @return the cipher, or null before the handshake finished
     */
    @Nullable Cipher getCipher();

    /**
     * Node's {@code isSessionReused()}: whether the handshake resumed an earlier session.
     *
     * @return true if resumed
     */
    boolean isSessionReused();

    /**
     * Node's {@code getSession()}: the session, to resume with a later connection
     * ({@link TlsOptions.Builder#session}).
     *
     * @return the session, or null before the handshake finished
     */
    @Nullable TlsSession getSession();

    /**
     * Node's {@code encrypted}: always true.
     *
     * @return true
     */
    boolean encrypted();

    /**
     * Node's {@code getCipher()} value.
     *
     * @param name         OpenSSL's name of the suite, as Node gives it
     * @param standardName the IANA name
     * @param version      the protocol it was negotiated for
     */
    record Cipher(String name, String standardName, String version) {
    }

    /**
     * Node's {@code getCertificate()}: this side's own certificate chain as it presented it, leaf first (the
     * JDK's certificates, as {@link #getPeerCertificate()}).
     *
     * @return the chain; empty before the handshake finished or when this side sent none (Node: {@code null}
     *         or {@code {}})
     */
    List<X509Certificate> getCertificate();
}
