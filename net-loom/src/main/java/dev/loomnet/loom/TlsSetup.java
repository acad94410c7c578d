package dev.loomnet.loom;

import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsSession;
import javax.net.ssl.SSLSession;

/**
 * The public {@link TlsOptions} turned into the implementation's {@link TlsConfig} (which the TLS layer was
 * written against), and the {@link TlsSession} handle. Key material is read here, so a problem with it is
 * reported where the server or socket is created.
 */
final class TlsSetup {

    private TlsSetup() {
    }

    /** The context of a server's or client's options. */
    static TlsContext context(TlsOptions options, boolean server) {
        return TlsContext.of(config(options, server));
    }

    static TlsConfig config(TlsOptions o, boolean server) {
        TlsConfig.Builder b = server ? TlsConfig.server() : TlsConfig.client();
        if (o.sslContext() != null) {
            b.sslContext(o.sslContext());
        }
        if (o.key() != null) {
            b.key(o.key());
        }
        if (o.cert() != null) {
            b.cert(o.cert());
        }
        if (o.passphrase() != null) {
            b.passphrase(o.passphrase());
        }
        byte[] pfx = o.pfx();
        if (pfx != null) {
            b.pfx(pfx);
        }
        if (o.ca() != null) {
            b.ca(o.ca().toArray(String[]::new));
        }
        b.requestCert(o.requestCert()).rejectUnauthorized(o.rejectUnauthorized())
                .alpnProtocols(o.alpnProtocols().toArray(String[]::new))
                .minVersion(o.minVersion()).maxVersion(o.maxVersion()).handshakeTimeout(o.handshakeTimeout());
        if (o.servername() != null) {
            b.servername(o.servername());
        }
        TlsOptions.CheckServerIdentity check = o.checkServerIdentity();
        if (check != null) {
            b.checkServerIdentity(check::check);
        }
        TlsOptions.SniCallback sni = o.sniCallback();
        if (sni != null) {
            b.sniCallback(name -> {
                TlsOptions chosen = sni.select(name);
                return chosen == null ? null : config(chosen, true).keys();
            });
        }
        if (o.ciphers() != null) {
            b.ciphers(o.ciphers());
        }
        b.honorCipherOrder(o.honorCipherOrder());
        if (o.ecdhCurve() != null) {
            b.ecdhCurve(o.ecdhCurve());
        }
        if (o.sigalgs() != null) {
            b.sigalgs(o.sigalgs());
        }
        java.time.Duration timeout = o.sessionTimeout();
        if (timeout != null) {
            b.sessionTimeout((int) timeout.toSeconds());
        }
        if (o.crl() != null) {
            b.crl(o.crl().toArray(String[]::new));
        }
        if (o.session() instanceof Session s) {
            b.session(s.resumption());
        }
        return b.build();
    }

    /** A finished connection's session, as a client resumes it ({@link TlsResumption}). */
    record Session(TlsResumption resumption) implements TlsSession {
        @Override
        public SSLSession sslSession() {
            return resumption.session();
        }
    }
}
