package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Node's secure context: one {@link SSLContext} built from {@link TlsConfig}, and the engines made from it with
 * the options applied (protocol versions, ALPN, SNI, client authentication). Its key manager
 * ({@link SniKeyManager}) and trust manager ({@link VerdictTrustManager}) are loomnet's own, so that
 * {@link #setSecureContext} and {@link #addContext} change what new handshakes present and trust without a new
 * {@code SSLContext}: connections under way keep theirs, and the session cache stays. With a ready
 * {@code SSLContext} ({@link TlsConfig.Builder#sslContext}) neither applies: that context is used as it is.
 *
 * <p>Thread-safe: engines are created on any thread, and the replacements are volatile swaps.
 */
final class TlsContext {

    private final TlsConfig config;
    private final SSLContext context;
    private final @Nullable SniKeyManager keys;
    private final @Nullable VerdictTrustManager trust;
    private volatile TlsNegotiation negotiation;

    /** Node's default {@code sessionTimeout}, in seconds (the JDK's is a day). */
    static final int DEFAULT_SESSION_TIMEOUT = 300;

    private TlsContext(TlsConfig config, SSLContext context, @Nullable SniKeyManager keys,
                       @Nullable VerdictTrustManager trust, TlsNegotiation negotiation) {
        this.config = config;
        this.context = context;
        this.keys = keys;
        this.trust = trust;
        this.negotiation = negotiation;
    }

    private static TlsNegotiation negotiation(TlsConfig config) {
        return TlsNegotiation.of(config.ciphers, config.honorCipherOrder, config.ecdhCurve, config.sigalgs);
    }

    /**
     * Builds the context for {@code config}.
     *
     * @throws NetException with Node's code when a key, certificate or CA cannot be read
     */
    static TlsContext of(TlsConfig config) {
        TlsNegotiation negotiation = negotiation(config);
        SSLContext ready = config.sslContext;
        Integer timeout = config.sessionTimeout;
        if (ready != null) {
            if (timeout != null) {
                ready.getServerSessionContext().setSessionTimeout(timeout);
            }
            return new TlsContext(config, ready, null, null, negotiation);
        }
        SniKeyManager keys = new SniKeyManager(config.keys(), config.sniCallback);
        VerdictTrustManager trust = new VerdictTrustManager(pkix(config.ca, config.crl), config.rejectUnauthorized);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, new TrustManager[] {trust}, null);
            context.getServerSessionContext().setSessionTimeout(timeout != null ? timeout : DEFAULT_SESSION_TIMEOUT);
            return new TlsContext(config, context, keys, trust, negotiation);
        } catch (GeneralSecurityException e) {
            throw new NetException(TlsErrors.ERR_SSL_SSL_HANDSHAKE_FAILURE, "cannot create the TLS context: " + e,
                    null, null, 0, e);
        }
    }

    /**
     * The JDK's PKIX trust manager over {@code ca} (PEM texts or files), or over its default store when null;
     * with {@code crl}, checking every certificate below the anchor against those lists only (OpenSSL's
     * {@code X509_V_FLAG_CRL_CHECK_ALL}, which Node sets with a {@code crl}: no list for a certificate's issuer
     * fails it, and nothing is fetched).
     */
    private static X509ExtendedTrustManager pkix(@Nullable List<String> ca, @Nullable List<String> crl) {
        try {
            KeyStore store = null;
            if (ca != null) {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int n = 0;
                for (String pem : ca) {
                    for (X509Certificate cert : Pem.certificates(Pem.textOrFile(pem))) {
                        store.setCertificateEntry("ca" + n++, cert);
                    }
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            if (crl == null) {
                factory.init(store);
            } else {
                factory.init(revocationChecking(store, crl));
            }
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
        } catch (GeneralSecurityException | IOException e) {
            throw new NetException(TlsErrors.ERR_OSSL_UNSUPPORTED, "cannot build the trust store: " + e,
                    null, null, 0, e);
        }
    }

    private static javax.net.ssl.ManagerFactoryParameters revocationChecking(@Nullable KeyStore store,
                                                                            List<String> crl)
            throws GeneralSecurityException {
        List<java.security.cert.X509CRL> crls = new java.util.ArrayList<>();
        for (String pem : crl) {
            crls.addAll(Pem.crls(Pem.textOrFile(pem)));
        }
        java.security.cert.X509CertSelector any = new java.security.cert.X509CertSelector();
        java.security.cert.PKIXBuilderParameters params = store != null
                ? new java.security.cert.PKIXBuilderParameters(store, any)
                : new java.security.cert.PKIXBuilderParameters(TlsRoots.anchors(), any);
        params.setRevocationEnabled(true);
        params.addCertStore(java.security.cert.CertStore.getInstance("Collection",
                new java.security.cert.CollectionCertStoreParameters(crls)));
        java.security.cert.PKIXRevocationChecker checker = (java.security.cert.PKIXRevocationChecker)
                java.security.cert.CertPathBuilder.getInstance("PKIX").getRevocationChecker();
        checker.setOptions(java.util.EnumSet.of(java.security.cert.PKIXRevocationChecker.Option.PREFER_CRLS,
                java.security.cert.PKIXRevocationChecker.Option.NO_FALLBACK));
        params.addCertPathChecker(checker);
        return new javax.net.ssl.CertPathTrustManagerParameters(params);
    }

    /** The options this context was built from. */
    TlsConfig config() {
        return config;
    }

    /** The JDK context. */
    SSLContext sslContext() {
        return context;
    }

    /**
     * Node's {@code server.setSecureContext(options)}: new handshakes present the keys and trust the CAs of
     * {@code replacement}, with its {@code crl}, {@code ciphers}, {@code honorCipherOrder}, {@code ecdhCurve},
     * {@code sigalgs} and (when given) {@code sessionTimeout}, as Node's new context; other options stay.
     */
    void setSecureContext(TlsConfig replacement) {
        SniKeyManager k = keys;
        VerdictTrustManager t = trust;
        if (k == null || t == null) {
            throw readyContext();
        }
        TlsKeys newKeys = replacement.keys();               // read all first: a bad option changes nothing
        X509ExtendedTrustManager newTrust = pkix(replacement.ca, replacement.crl);
        TlsNegotiation newNegotiation = negotiation(replacement);
        k.replaceDefaults(newKeys);
        t.replace(newTrust);
        negotiation = newNegotiation;
        Integer timeout = replacement.sessionTimeout;
        if (timeout != null) {
            context.getServerSessionContext().setSessionTimeout(timeout);
        }
    }

    /** Node's {@code server.addContext(hostname, options)}: the keys for clients asking for {@code hostname}. */
    void addContext(String hostname, TlsConfig options) {
        SniKeyManager k = keys;
        if (k == null) {
            throw readyContext();
        }
        TlsKeys added = options.keys();
        if (added == null) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE, "addContext needs key and cert, or pfx");
        }
        k.add(hostname, added);
    }

    private static NetException readyContext() {
        return new NetException(NetException.ERR_INVALID_STATE,
                "a context made from a ready SSLContext cannot be changed: make a new one");
    }

    /** A server engine with the options applied. */
    SSLEngine serverEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters p = common(engine);
        negotiation.applyTo(p, true);
        if (config.requestCert) {
            if (config.rejectUnauthorized) {
                p.setNeedClientAuth(true);
            } else {
                p.setWantClientAuth(true);
            }
        }
        engine.setSSLParameters(p);
        return engine;
    }

    /**
     * A client engine for {@code host}: SNI is {@code servername}, else the host unless it is an IP literal
     * (Node's default); a {@code session} option makes the engine come from that session's context, host and
     * port, which is how the JDK's client finds the session to resume.
     */
    SSLEngine clientEngine(String host, int port) {
        TlsResumption resume = config.session;
        SSLEngine engine = resume != null
                ? resume.context().createSSLEngine(resume.peerHost(), resume.peerPort())
                : context.createSSLEngine(identityHost(host), port);
        engine.setUseClientMode(true);
        SSLParameters p = common(engine);
        negotiation.applyTo(p, false);
        String sni = sniName(host);
        List<SNIServerName> names = List.of();
        if (sni != null) {
            try {
                names = List.of(new SNIHostName(sni));
            } catch (IllegalArgumentException e) {
                names = List.of();                        // not a name SNI can carry: send none, as OpenSSL
            }
        }
        p.setServerNames(names);
        engine.setSSLParameters(p);
        return engine;
    }

    /** The name the server's certificate must carry: {@code servername}, else the host (Node's rule). */
    String identityHost(String host) {
        String name = config.servername;
        return name != null && !name.isEmpty() ? name : host;
    }

    /** The SNI name to send, or null. */
    @Nullable String sniName(String host) {
        String name = config.servername;
        if (name != null) {
            return name.isEmpty() ? null : name;
        }
        return dev.loomnet.net.Net.isIP(host) != 0 ? null : host;
    }

    private SSLParameters common(SSLEngine engine) {
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(TlsVersions.between(config.minVersion, config.maxVersion, engine.getSupportedProtocols()));
        if (!config.alpnProtocols.isEmpty()) {
            p.setApplicationProtocols(config.alpnProtocols.toArray(new String[0]));
        }
        // host name verification is Node's, after the handshake (TlsChannel), not the JDK's HTTPS algorithm
        p.setEndpointIdentificationAlgorithm(null);
        return p;
    }

    /**
     * Node's verdict on {@code chain} computed again (a resumed session without the recorded one), or null when
     * it is trusted or this context uses a ready {@code SSLContext} (whose handshake verified it, or failed).
     */
    @Nullable NetException recheck(List<X509Certificate> chain, boolean ofServer) {
        VerdictTrustManager t = trust;
        return t == null || chain.isEmpty() ? null : t.recheck(chain, ofServer);
    }
}
