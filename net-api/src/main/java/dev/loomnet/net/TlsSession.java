package dev.loomnet.net;

import javax.net.ssl.SSLSession;

/**
 * A finished TLS connection's session ({@link TlsSocket#getSession()}), to resume with a later connection
 * ({@link TlsOptions.Builder#session}). Node hands out the session's bytes; the JDK cannot export a session,
 * so this handle carries what the JDK resumes by instead (its client context and the peer's host and port),
 * and the {@link SSLSession} itself to look at.
 */
public interface TlsSession {

    /**
     * Returns the JDK's session.
     *
     * @return the session
     */
    SSLSession sslSession();
}
