package dev.loomnet.net;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

// ArrayRecordComponent: pfx is copied in and out (its accessor), and options are never compared.
/**
 * Node's TLS options ({@code tls.createServer(options)}, {@code tls.connect(options)}, {@code tls.createSecureContext}):
 * the keys and certificates, how the peer is verified, and the protocol. Immutable; built with
 * {@link #builder()}. Defaults are Node's: {@code rejectUnauthorized} true, TLSv1.2 to TLSv1.3, a
 * {@code handshakeTimeout} of 120 s, and host names checked by Node's {@code checkServerIdentity} rules.
 *
 * <p>Keys and certificates come as PEM text or PEM file names ({@code key}, {@code cert}, {@code ca}), as a
 * PKCS#12 store ({@code pfx} with {@code passphrase}), or as a ready {@link SSLContext}; with none of them a
 * client trusts the JDK's default certificate authorities. Key material is read when a server or socket is
 * created with the options, and a problem with it is reported there, with Node's code.
 *
 * @param sslContext          a ready context whose key and trust managers are used as they are, or null
 * @param key                 the private key, PEM text or a file name, or null
 * @param cert                the certificate chain (leaf first), PEM text or a file name, or null
 * @param ca                  the trusted certificate authorities, PEM texts or file names; null for the JDK's
 * @param pfx                 a PKCS#12 store holding the key and its chain, or null
 * @param passphrase          the passphrase of an encrypted {@code key} or of the {@code pfx}, or null
 * @param requestCert         a server asks the client for a certificate
 * @param rejectUnauthorized  a peer whose certificate does not verify is refused (a server: only with
 *                            {@code requestCert}); without it the connection proceeds and
 *                            {@link TlsSocket#authorized()} is false
 * @param servername          the client's SNI name; null for the host it connects to (unless that is an IP)
 * @param checkServerIdentity the client's host name check, or null for Node's rules
 * @param alpnProtocols       the ALPN protocols, most preferred first; empty for none
 * @param minVersion          the lowest protocol: {@code "TLSv1.2"} (default) or {@code "TLSv1.3"}; Node's
 *                            {@code "TLSv1"} and {@code "TLSv1.1"} are accepted names, which the JDK disables
 *                            unless its {@code jdk.tls.disabledAlgorithms} security property allows them
 * @param maxVersion          the highest protocol: {@code "TLSv1.3"} (default) or {@code "TLSv1.2"}; a
 *                            {@code minVersion} above it fails the handshake with
 *                            {@code ERR_SSL_NO_PROTOCOLS_AVAILABLE}, as in Node
 * @param handshakeTimeout    how long a server's handshake may take before it fails
 *                            ({@code ERR_TLS_HANDSHAKE_TIMEOUT}); a server option in Node, ignored by clients
 * @param sniCallback         a server's choice of options per requested server name, or null
 * @param session             a client's earlier session to resume ({@link TlsSocket#getSession()}), or null
 * @param ciphers             OpenSSL's cipher list ({@code "ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_256_GCM_SHA384"},
 *                            {@code "HIGH:!aNULL"}), or null for the JDK's; see {@link Tls#getCiphers()}
 * @param honorCipherOrder    a server picks the suite by its own order rather than the client's (Node's
 *                            {@code tls.createServer} default: true)
 * @param ecdhCurve           {@code "auto"}, or the key exchange groups, colon separated ({@code "P-256:X25519"}),
 *                            or null for the JDK's
 * @param sigalgs             the signature algorithms, colon separated ({@code "RSA-PSS+SHA256:ed25519"}), or null
 * @param sessionTimeout      how long a server's sessions can be resumed, whole seconds; null for Node's 300 s
 *                            (and, in {@code setSecureContext}, for the current one). Sessions resumed by id
 *                            expire; a ticket only announces it (the JDK does not check a ticket's age)
 * @param crl                 certificate revocation lists, PEM texts or file names; a peer certificate they
 *                            revoke fails with {@code CERT_REVOKED}; null for none
 */
@SuppressWarnings("ArrayRecordComponent")
public record TlsOptions(@Nullable SSLContext sslContext, @Nullable String key, @Nullable String cert,
                         @Nullable List<String> ca, byte @Nullable [] pfx, @Nullable String passphrase,
                         boolean requestCert, boolean rejectUnauthorized, @Nullable String servername,
                         @Nullable CheckServerIdentity checkServerIdentity, List<String> alpnProtocols,
                         String minVersion, String maxVersion, Duration handshakeTimeout,
                         @Nullable SniCallback sniCallback, @Nullable TlsSession session, @Nullable String ciphers,
                         boolean honorCipherOrder, @Nullable String ecdhCurve, @Nullable String sigalgs,
                         @Nullable Duration sessionTimeout, @Nullable List<String> crl) {

    /** Node's default {@code handshakeTimeout}: 120 s. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofMinutes(2);

    /**
     * Node's {@code checkServerIdentity(hostname, cert)}: decides whether the server's certificate names the
     * host the client connected to.
     */
    @FunctionalInterface
    public interface CheckServerIdentity {
        /**
         * Checks the server's chain.
         *
         * @param hostname the {@code servername}, else the host
         * @param chain    the server's certificates, leaf first
         * @return null to accept, or the error to refuse the connection with
         */
        @Nullable NetException check(String hostname, List<X509Certificate> chain);
    }

    /** Node's {@code SNICallback}: the options (keys and certificates) for a requested server name. */
    @FunctionalInterface
    public interface SniCallback {
        /**
         * Chooses the keys for {@code servername}.
         *
         * @param servername the host name the client asked for
         * @return options with a key and certificate (the rest is ignored), or null for the server's own
         */
        @Nullable TlsOptions select(String servername);
    }

    /**
     * Checks the options as a record's constructor must.
     *
     * @param sslContext          see the record description
     * @param key                 see the record description
     * @param cert                see the record description
     * @param ca                  see the record description
     * @param pfx                 see the record description
     * @param passphrase          see the record description
     * @param requestCert         see the record description
     * @param rejectUnauthorized  see the record description
     * @param servername          see the record description
     * @param checkServerIdentity see the record description
     * @param alpnProtocols       see the record description
     * @param minVersion          see the record description
     * @param maxVersion          see the record description
     * @param handshakeTimeout    see the record description
     * @param sniCallback         see the record description
     * @param session             see the record description
     * @param ciphers             see the record description
     * @param honorCipherOrder    see the record description
     * @param ecdhCurve           see the record description
     * @param sigalgs             see the record description
     * @param sessionTimeout      see the record description
     * @param crl                 see the record description
     * @throws NetException Node's codes for a bad value
     */
    public TlsOptions {
        Args.notNull(alpnProtocols, "ALPNProtocols");
        alpnProtocols = List.copyOf(alpnProtocols);
        ca = ca == null ? null : List.copyOf(ca);
        pfx = pfx == null ? null : pfx.clone();
        version(minVersion, "minVersion", "minimum");
        version(maxVersion, "maxVersion", "maximum");
        Args.notNull(handshakeTimeout, "handshakeTimeout");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE,
                    "The value of \"handshakeTimeout\" is out of range. It must be > 0. Received "
                            + handshakeTimeout.toMillis());
        }
        crl = crl == null ? null : List.copyOf(crl);
        if (ciphers != null && java.util.Arrays.stream(ciphers.split(":", -1)).allMatch(String::isEmpty)
                && !ciphers.isEmpty()) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "ERR_INVALID_ARG_VALUE: The property 'options.ciphers' is invalid. Received '" + ciphers + "'");
        }
        if (ecdhCurve != null && ecdhCurve.isEmpty()) {
            throw new NetException("ERR_CRYPTO_OPERATION_FAILED", "ERR_CRYPTO_OPERATION_FAILED: Failed to set ECDH curve: ''");
        }
        if (sigalgs != null && sigalgs.isEmpty()) {
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                    "ERR_INVALID_ARG_VALUE: The property 'options.sigalgs' is invalid. Received ''");
        }
        if (sessionTimeout != null) {
            sessionTimeout(sessionTimeout);
        }
    }

    /** Node's {@code validateInt32(sessionTimeout, 'options.sessionTimeout', 0)}, on whole seconds. */
    private static void sessionTimeout(Duration value) {
        if (value.toNanosPart() != 0) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE, "ERR_OUT_OF_RANGE: The value of \"options.sessionTimeout\" is out "
                    + "of range. It must be an integer. Received " + value.toMillis() / 1000.0);
        }
        if (value.isNegative() || value.toSeconds() > Integer.MAX_VALUE) {
            throw new NetException(NetException.ERR_OUT_OF_RANGE, "ERR_OUT_OF_RANGE: The value of \"options.sessionTimeout\" is out "
                    + "of range. It must be >= 0 && <= 2147483647. Received " + value.toSeconds());
        }
    }

    /** Node's version names; the JDK's security settings disable the two oldest by default, as Node's do. */
    private static final java.util.Set<String> VERSIONS = java.util.Set.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private static void version(String v, String name, String which) {
        Args.notNull(v, name);
        if (!VERSIONS.contains(v)) {
            throw new NetException("ERR_TLS_INVALID_PROTOCOL_VERSION", "\"" + v + "\" is not a valid " + which
                    + " TLS protocol version");
        }
    }

    /**
     * Returns the PKCS#12 store, copied.
     *
     * @return the store's bytes, or null
     */
    @Override
    public byte @Nullable [] pfx() {
        return pfx == null ? null : pfx.clone();
    }

    /**
     * Returns a builder with Node's defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link TlsOptions}; every setter has Node's option name. */
    public static final class Builder {
        private @Nullable SSLContext sslContext;
        private @Nullable String key;
        private @Nullable String cert;
        private @Nullable List<String> ca;
        private byte @Nullable [] pfx;
        private @Nullable String passphrase;
        private boolean requestCert;
        private boolean rejectUnauthorized = true;
        private @Nullable String servername;
        private @Nullable CheckServerIdentity checkServerIdentity;
        private List<String> alpnProtocols = List.of();
        private String minVersion = "TLSv1.2";
        private String maxVersion = "TLSv1.3";
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private @Nullable SniCallback sniCallback;
        private @Nullable TlsSession session;
        private @Nullable String ciphers;
        private boolean honorCipherOrder = true;
        private @Nullable String ecdhCurve;
        private @Nullable String sigalgs;
        private @Nullable Duration sessionTimeout;
        private @Nullable List<String> crl;

        private Builder() {
        }

        /**
         * Sets a ready {@code SSLContext}: its key and trust managers are used as they are.
         *
         * @param value the context
         * @return this builder
         */
        public Builder sslContext(SSLContext value) {
            this.sslContext = Args.notNull(value, "sslContext");
            return this;
        }

        /**
         * Sets {@code key}: the private key as PEM text (PKCS#8, PKCS#1 or SEC1, encrypted or not).
         *
         * @param pem the PEM text
         * @return this builder
         */
        public Builder key(String pem) {
            this.key = Args.notNull(pem, "key");
            return this;
        }

        /**
         * Sets {@code key} from a PEM file.
         *
         * @param file the file
         * @return this builder
         */
        public Builder key(Path file) {
            this.key = Args.notNull(file, "key").toString();
            return this;
        }

        /**
         * Sets {@code cert}: the certificate chain, leaf first, as PEM text.
         *
         * @param pem the PEM text
         * @return this builder
         */
        public Builder cert(String pem) {
            this.cert = Args.notNull(pem, "cert");
            return this;
        }

        /**
         * Sets {@code cert} from a PEM file.
         *
         * @param file the file
         * @return this builder
         */
        public Builder cert(Path file) {
            this.cert = Args.notNull(file, "cert").toString();
            return this;
        }

        /**
         * Sets {@code ca}: the trusted certificate authorities, PEM texts.
         *
         * @param pems the PEM texts (each may hold several certificates)
         * @return this builder
         */
        public Builder ca(String... pems) {
            this.ca = List.of(Args.notNull(pems, "ca"));
            return this;
        }

        /**
         * Sets {@code ca} from PEM files.
         *
         * @param files the files
         * @return this builder
         */
        public Builder ca(Path... files) {
            this.ca = java.util.Arrays.stream(Args.notNull(files, "ca")).map(Path::toString).toList();
            return this;
        }

        /**
         * Sets {@code pfx}: a PKCS#12 store holding the key and its chain.
         *
         * @param pkcs12 the store's bytes
         * @return this builder
         */
        public Builder pfx(byte[] pkcs12) {
            this.pfx = Args.notNull(pkcs12, "pfx").clone();
            return this;
        }

        /**
         * Sets {@code passphrase}: of an encrypted {@code key} or of the {@code pfx}.
         *
         * @param value the passphrase
         * @return this builder
         */
        public Builder passphrase(String value) {
            this.passphrase = Args.notNull(value, "passphrase");
            return this;
        }

        /**
         * Sets {@code requestCert}: a server asks the client for a certificate.
         *
         * @param value the value
         * @return this builder
         */
        public Builder requestCert(boolean value) {
            this.requestCert = value;
            return this;
        }

        /**
         * Sets {@code rejectUnauthorized}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder rejectUnauthorized(boolean value) {
            this.rejectUnauthorized = value;
            return this;
        }

        /**
         * Sets {@code servername}: the client's SNI name.
         *
         * @param value the host name
         * @return this builder
         */
        public Builder servername(String value) {
            this.servername = Args.notNull(value, "servername");
            return this;
        }

        /**
         * Sets {@code checkServerIdentity}.
         *
         * @param value the check
         * @return this builder
         */
        public Builder checkServerIdentity(CheckServerIdentity value) {
            this.checkServerIdentity = Args.notNull(value, "checkServerIdentity");
            return this;
        }

        /**
         * Sets {@code ALPNProtocols}, most preferred first.
         *
         * @param protocols the protocol names
         * @return this builder
         */
        public Builder alpnProtocols(String... protocols) {
            this.alpnProtocols = List.of(Args.notNull(protocols, "ALPNProtocols"));
            return this;
        }

        /**
         * Sets {@code minVersion}.
         *
         * @param version {@code "TLSv1.2"} or {@code "TLSv1.3"}
         * @return this builder
         */
        public Builder minVersion(String version) {
            this.minVersion = version;
            return this;
        }

        /**
         * Sets {@code maxVersion}.
         *
         * @param version {@code "TLSv1.2"} or {@code "TLSv1.3"}
         * @return this builder
         */
        public Builder maxVersion(String version) {
            this.maxVersion = version;
            return this;
        }

        /**
         * Sets {@code handshakeTimeout}.
         *
         * @param value more than zero
         * @return this builder
         */
        public Builder handshakeTimeout(Duration value) {
            this.handshakeTimeout = value;
            return this;
        }

        /**
         * Sets {@code SNICallback}.
         *
         * @param value the callback
         * @return this builder
         */
        public Builder sniCallback(SniCallback value) {
            this.sniCallback = Args.notNull(value, "SNICallback");
            return this;
        }

        /**
         * Sets {@code session}: an earlier session to resume.
         *
         * @param value the session of an earlier connection
         * @return this builder
         */
        public Builder session(TlsSession value) {
            this.session = Args.notNull(value, "session");
            return this;
        }

        /**
         * Sets {@code ciphers}: OpenSSL's cipher list, with TLS 1.3 suites ({@code TLS_...}) among them; an
         * unknown {@code TLS_} name, or a list matching no TLS 1.2 suite, fails with
         * {@code ERR_SSL_NO_CIPHER_MATCH} where the server or socket is created.
         *
         * @param list colon separated names and OpenSSL's keywords ({@code HIGH}, {@code !aNULL}, ...)
         * @return this builder
         */
        public Builder ciphers(String list) {
            this.ciphers = Args.notNull(list, "ciphers");
            return this;
        }

        /**
         * Sets {@code honorCipherOrder}: a server chooses by its own order of {@code ciphers} (default true).
         *
         * @param value the value
         * @return this builder
         */
        public Builder honorCipherOrder(boolean value) {
            this.honorCipherOrder = value;
            return this;
        }

        /**
         * Sets {@code ecdhCurve}: {@code "auto"} or the key exchange groups, most preferred first, colon
         * separated ({@code P-256}, {@code prime256v1}, {@code X25519}, {@code ffdhe2048}, ...).
         *
         * @param curves the groups
         * @return this builder
         */
        public Builder ecdhCurve(String curves) {
            this.ecdhCurve = Args.notNull(curves, "ecdhCurve");
            return this;
        }

        /**
         * Sets {@code sigalgs}: the signature algorithms, colon separated, as OpenSSL's {@code ALG+HASH}
         * ({@code RSA-PSS+SHA256}, {@code ECDSA+SHA384}) or TLS 1.3 scheme names ({@code ed25519}).
         *
         * @param list the algorithms
         * @return this builder
         */
        public Builder sigalgs(String list) {
            this.sigalgs = Args.notNull(list, "sigalgs");
            return this;
        }

        /**
         * Sets {@code sessionTimeout}: how long a server's sessions can be resumed (default 300 s).
         *
         * @param value whole seconds, 0 to 2147483647
         * @return this builder
         */
        public Builder sessionTimeout(Duration value) {
            this.sessionTimeout = Args.notNull(value, "sessionTimeout");
            return this;
        }

        /**
         * Sets {@code crl}: certificate revocation lists, PEM texts; the peer's chain is then checked against
         * them, and a certificate of a CA without a list fails with {@code UNABLE_TO_GET_CRL}, as in Node.
         *
         * @param pems the PEM texts (each may hold several lists)
         * @return this builder
         */
        public Builder crl(String... pems) {
            this.crl = List.of(Args.notNull(pems, "crl"));
            return this;
        }

        /**
         * Sets {@code crl} from PEM files.
         *
         * @param files the files
         * @return this builder
         */
        public Builder crl(Path... files) {
            this.crl = java.util.Arrays.stream(Args.notNull(files, "crl")).map(Path::toString).toList();
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         * @throws NetException Node's codes for a bad value
         */
        public TlsOptions build() {
            return new TlsOptions(sslContext, key, cert, ca, pfx, passphrase, requestCert, rejectUnauthorized,
                    servername, checkServerIdentity, alpnProtocols, minVersion, maxVersion, handshakeTimeout,
                    sniCallback, session, ciphers, honorCipherOrder, ecdhCurve, sigalgs, sessionTimeout, crl);
        }
    }
}
