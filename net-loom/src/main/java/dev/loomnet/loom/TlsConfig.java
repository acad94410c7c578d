package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Node's TLS options for one side, as loomnet's implementation takes them (the public options type will mirror
 * this). Immutable; built with {@link #client()} or {@link #server()} and the builder's Node-named setters.
 * Defaults are Node's: {@code rejectUnauthorized} true, {@code minVersion} TLSv1.2, {@code maxVersion}
 * TLSv1.3, {@code handshakeTimeout} 120 s, host name verification by Node's {@code checkServerIdentity}.
 */
final class TlsConfig {

    /** Node's default {@code handshakeTimeout}. */
    static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofMinutes(2);   // 120000 ms

    /** Node's {@code checkServerIdentity(hostname, cert)}: null when the certificate names the host. */
    @FunctionalInterface
    interface IdentityCheck {
        /**
         * Checks the server's chain against the name the client connected to.
         *
         * @param hostname the {@code servername}, else the host
         * @param chain    the server's certificates, leaf first
         * @return null to accept, or the error to refuse with (Node's {@code ERR_TLS_CERT_ALTNAME_INVALID})
         */
        @Nullable NetException check(String hostname, List<X509Certificate> chain);
    }

    /** Node's own rules ({@link HostIdentity}). */
    static final IdentityCheck NODE_IDENTITY_CHECK = (host, chain) -> HostIdentity.check(host, chain.get(0));

    final boolean server;
    final @Nullable SSLContext sslContext;
    final @Nullable String key;
    final @Nullable String cert;
    final char @Nullable [] passphrase;
    final byte @Nullable [] pfx;
    /** PEM texts or file names; null for the JDK's default trust store. */
    final @Nullable List<String> ca;
    final boolean requestCert;
    final boolean rejectUnauthorized;
    final @Nullable String servername;
    final IdentityCheck checkServerIdentity;
    final List<String> alpnProtocols;
    final String minVersion;
    final String maxVersion;
    final Duration handshakeTimeout;
    final SniKeyManager.@Nullable SniCallback sniCallback;
    final @Nullable TlsResumption session;
    final @Nullable String ciphers;
    final boolean honorCipherOrder;
    final @Nullable String ecdhCurve;
    final @Nullable String sigalgs;
    /** Seconds; null for Node's default (a new context) or the current one ({@code setSecureContext}). */
    final @Nullable Integer sessionTimeout;
    /** PEM texts or file names; null for no revocation check. */
    final @Nullable List<String> crl;

    private TlsConfig(Builder b) {
        server = b.server;
        sslContext = b.sslContext;
        key = b.key;
        cert = b.cert;
        passphrase = b.passphrase;
        pfx = b.pfx;
        ca = b.ca;
        requestCert = b.requestCert;
        rejectUnauthorized = b.rejectUnauthorized;
        servername = b.servername;
        checkServerIdentity = b.checkServerIdentity;
        alpnProtocols = b.alpnProtocols;
        minVersion = b.minVersion;
        maxVersion = b.maxVersion;
        handshakeTimeout = b.handshakeTimeout;
        sniCallback = b.sniCallback;
        session = b.session;
        ciphers = b.ciphers;
        honorCipherOrder = b.honorCipherOrder;
        ecdhCurve = b.ecdhCurve;
        sigalgs = b.sigalgs;
        sessionTimeout = b.sessionTimeout;
        crl = b.crl;
    }

    /** Options for a client ({@code tls.connect}). */
    static Builder client() {
        return new Builder(false);
    }

    /** Options for a server ({@code tls.createServer}). */
    static Builder server() {
        return new Builder(true);
    }

    /** The keys of {@code key}/{@code cert} or {@code pfx}, or null when there are none. */
    @Nullable TlsKeys keys() {
        if (pfx != null) {
            return TlsKeys.fromPfx(pfx, passphrase);
        }
        if (key != null && cert != null) {
            return TlsKeys.fromPem(key, cert, passphrase);
        }
        if (key != null || cert != null) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE, "key and cert go together: "
                    + (key == null ? "cert without key" : "key without cert"));
        }
        return null;
    }

    /** The builder: Node's option names. */
    static final class Builder {
        private final boolean server;
        private @Nullable SSLContext sslContext;
        private @Nullable String key;
        private @Nullable String cert;
        private char @Nullable [] passphrase;
        private byte @Nullable [] pfx;
        private @Nullable List<String> ca;
        private boolean requestCert;
        private boolean rejectUnauthorized = true;
        private @Nullable String servername;
        private IdentityCheck checkServerIdentity = NODE_IDENTITY_CHECK;
        private List<String> alpnProtocols = List.of();
        private String minVersion = "TLSv1.2";
        private String maxVersion = "TLSv1.3";
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private SniKeyManager.@Nullable SniCallback sniCallback;
        private @Nullable TlsResumption session;
        private @Nullable String ciphers;
        private boolean honorCipherOrder = true;
        private @Nullable String ecdhCurve;
        private @Nullable String sigalgs;
        private @Nullable Integer sessionTimeout;
        private @Nullable List<String> crl;

        private Builder(boolean server) {
            this.server = server;
        }

        /** A ready {@code SSLContext}: its key and trust managers are used as they are (no verdict recording). */
        Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /** PEM private key text, or the name of a file holding it. */
        Builder key(String pemOrFile) {
            this.key = pemOrFile;
            return this;
        }

        /** PEM certificate chain text (leaf first), or the name of a file holding it. */
        Builder cert(String pemOrFile) {
            this.cert = pemOrFile;
            return this;
        }

        /** The passphrase of an encrypted key or of the {@code pfx}. */
        Builder passphrase(String passphrase) {
            this.passphrase = passphrase.toCharArray();
            return this;
        }

        /** A PKCS#12 store (bytes) holding the key and its chain. */
        Builder pfx(byte[] pkcs12) {
            this.pfx = pkcs12.clone();
            return this;
        }

        /** A PKCS#12 store read from a file. */
        Builder pfxFile(Path file) {
            try {
                this.pfx = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new NetException(NetException.ENOENT, "ENOENT: no such file or directory, open '" + file + "'",
                        "open", file.toString(), 0, e);
            }
            return this;
        }

        /** The trusted CAs (PEM texts or file names), replacing the JDK's default trust store, as Node's. */
        Builder ca(String... pemOrFiles) {
            this.ca = List.of(pemOrFiles);
            return this;
        }

        /** Server: ask the client for a certificate. */
        Builder requestCert(boolean request) {
            this.requestCert = request;
            return this;
        }

        /** Refuse a peer whose certificate does not verify (client default and Node's server default: true). */
        Builder rejectUnauthorized(boolean reject) {
            this.rejectUnauthorized = reject;
            return this;
        }

        /** Client: the SNI name; {@code ""} sends none. Default: the host unless it is an IP literal. */
        Builder servername(String name) {
            this.servername = name;
            return this;
        }

        /** Client: replaces Node's host name check. */
        Builder checkServerIdentity(IdentityCheck check) {
            this.checkServerIdentity = Objects.requireNonNull(check);
            return this;
        }

        /** ALPN protocols, in preference order. */
        Builder alpnProtocols(String... protocols) {
            this.alpnProtocols = List.of(protocols);
            return this;
        }

        /** The lowest version: {@code TLSv1.2} or {@code TLSv1.3} (and the older names Node knows). */
        Builder minVersion(String version) {
            this.minVersion = TlsVersions.check(version, "minimum");
            return this;
        }

        /** The highest version. */
        Builder maxVersion(String version) {
            this.maxVersion = TlsVersions.check(version, "maximum");
            return this;
        }

        /** Node's {@code handshakeTimeout}; zero or negative: none. */
        Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        /** Server: chooses the keys per requested server name. */
        Builder sniCallback(SniKeyManager.SniCallback callback) {
            this.sniCallback = callback;
            return this;
        }

        /** Client: resume the session of an earlier connection ({@link TlsChannel#resumption()}). */
        Builder session(TlsResumption previous) {
            this.session = previous;
            return this;
        }

        /** OpenSSL's cipher list ({@link TlsCiphers}). */
        Builder ciphers(String list) {
            this.ciphers = list;
            return this;
        }

        /** Server: choose the suite by its own order (Node's {@code tls.createServer} default: true). */
        Builder honorCipherOrder(boolean honor) {
            this.honorCipherOrder = honor;
            return this;
        }

        /** {@code auto} or colon separated groups ({@link TlsNegotiation}). */
        Builder ecdhCurve(String curves) {
            this.ecdhCurve = curves;
            return this;
        }

        /** Colon separated signature algorithms ({@link TlsNegotiation}). */
        Builder sigalgs(String list) {
            this.sigalgs = list;
            return this;
        }

        /** Server: how many seconds its sessions can be resumed. */
        Builder sessionTimeout(int seconds) {
            this.sessionTimeout = seconds;
            return this;
        }

        /** Certificate revocation lists, PEM texts or file names. */
        Builder crl(String... pemOrFiles) {
            this.crl = List.of(pemOrFiles);
            return this;
        }

        TlsConfig build() {
            return new TlsConfig(this);
        }
    }
}
