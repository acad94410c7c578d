package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * What Node's {@code ciphers}, {@code honorCipherOrder}, {@code ecdhCurve} and {@code sigalgs} make of an engine's
 * {@link SSLParameters}, read and checked once when the context is built (and again by
 * {@code setSecureContext}). Immutable.
 */
final class TlsNegotiation {

    /** The JDK suites to enable, or null for its defaults. */
    private final String @Nullable [] cipherSuites;
    private final boolean honorCipherOrder;
    /** The key exchange groups, or null for the JDK's ({@code "auto"}). */
    private final String @Nullable [] namedGroups;
    /** The signature schemes, or null for the JDK's. */
    private final String @Nullable [] signatureSchemes;

    private TlsNegotiation(String @Nullable [] cipherSuites, boolean honorCipherOrder,
                           String @Nullable [] namedGroups, String @Nullable [] signatureSchemes) {
        this.cipherSuites = cipherSuites;
        this.honorCipherOrder = honorCipherOrder;
        this.namedGroups = namedGroups;
        this.signatureSchemes = signatureSchemes;
    }

    /** OpenSSL's group names (compared without case) and the JDK's. */
    private static final Map<String, String> GROUPS = Map.ofEntries(
            Map.entry("p-256", "secp256r1"), Map.entry("prime256v1", "secp256r1"), Map.entry("secp256r1", "secp256r1"),
            Map.entry("p-384", "secp384r1"), Map.entry("secp384r1", "secp384r1"),
            Map.entry("p-521", "secp521r1"), Map.entry("secp521r1", "secp521r1"),
            Map.entry("x25519", "x25519"), Map.entry("x448", "x448"),
            Map.entry("ffdhe2048", "ffdhe2048"), Map.entry("ffdhe3072", "ffdhe3072"),
            Map.entry("ffdhe4096", "ffdhe4096"), Map.entry("ffdhe6144", "ffdhe6144"),
            Map.entry("ffdhe8192", "ffdhe8192"));

    /** TLS 1.3 scheme names, which OpenSSL and the JDK share. */
    private static final Set<String> SCHEMES = Set.of("ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384",
            "ecdsa_secp521r1_sha512", "ed25519", "ed448", "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384",
            "rsa_pss_rsae_sha512", "rsa_pss_pss_sha256", "rsa_pss_pss_sha384", "rsa_pss_pss_sha512",
            "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512", "rsa_pkcs1_sha1", "ecdsa_sha1");

    /** OpenSSL's {@code ALG+HASH} forms, as its {@code sig_cb} resolves them (RSA-PSS: the rsae scheme). */
    private static final Map<String, String> ALG_HASH = Map.ofEntries(
            Map.entry("RSA+SHA1", "rsa_pkcs1_sha1"), Map.entry("RSA+SHA256", "rsa_pkcs1_sha256"),
            Map.entry("RSA+SHA384", "rsa_pkcs1_sha384"), Map.entry("RSA+SHA512", "rsa_pkcs1_sha512"),
            Map.entry("RSA-PSS+SHA256", "rsa_pss_rsae_sha256"), Map.entry("RSA-PSS+SHA384", "rsa_pss_rsae_sha384"),
            Map.entry("RSA-PSS+SHA512", "rsa_pss_rsae_sha512"), Map.entry("PSS+SHA256", "rsa_pss_rsae_sha256"),
            Map.entry("PSS+SHA384", "rsa_pss_rsae_sha384"), Map.entry("PSS+SHA512", "rsa_pss_rsae_sha512"),
            Map.entry("ECDSA+SHA1", "ecdsa_sha1"), Map.entry("ECDSA+SHA256", "ecdsa_secp256r1_sha256"),
            Map.entry("ECDSA+SHA384", "ecdsa_secp384r1_sha384"), Map.entry("ECDSA+SHA512", "ecdsa_secp521r1_sha512"));

    /**
     * Reads the options.
     *
     * @throws NetException {@code ERR_SSL_NO_CIPHER_MATCH}, {@code ERR_CRYPTO_OPERATION_FAILED} (a curve),
     *                      {@code ERR_INVALID_ARG_VALUE} (a signature algorithm)
     */
    static TlsNegotiation of(@Nullable String ciphers, boolean honorCipherOrder, @Nullable String ecdhCurve,
                             @Nullable String sigalgs) {
        return new TlsNegotiation(ciphers == null || ciphers.isEmpty() ? null : TlsCiphers.select(ciphers),
                honorCipherOrder, groups(ecdhCurve), schemes(sigalgs));
    }

    private static String @Nullable [] groups(@Nullable String ecdhCurve) {
        if (ecdhCurve == null || ecdhCurve.equals("auto")) {
            return null;
        }
        Set<String> groups = new LinkedHashSet<>();
        for (String name : ecdhCurve.split(":", -1)) {
            String group = GROUPS.get(name.toLowerCase(Locale.ROOT));
            if (group == null) {
                throw new NetException("ERR_CRYPTO_OPERATION_FAILED",
                        "ERR_CRYPTO_OPERATION_FAILED: Failed to set ECDH curve: unknown curve '" + name
                                + "' in '" + ecdhCurve + "'");
            }
            groups.add(group);
        }
        return groups.toArray(new String[0]);
    }

    private static String @Nullable [] schemes(@Nullable String sigalgs) {
        if (sigalgs == null) {
            return null;
        }
        Set<String> schemes = new LinkedHashSet<>();
        for (String name : sigalgs.split(":", -1)) {
            String scheme = SCHEMES.contains(name) ? name : ALG_HASH.get(name);
            if (scheme == null) {
                throw new NetException(NetException.ERR_INVALID_ARG_VALUE,
                        "ERR_INVALID_ARG_VALUE: Failed to set sigalgs: unknown signature algorithm '" + name
                                + "' in '" + sigalgs + "'");
            }
            schemes.add(scheme);
        }
        return schemes.toArray(new String[0]);
    }

    /** Applies the options to an engine's parameters ({@code server}: the cipher order too). */
    void applyTo(SSLParameters p, boolean server) {
        String[] suites = cipherSuites;
        if (suites != null) {
            p.setCipherSuites(suites.clone());
        }
        if (server) {
            p.setUseCipherSuitesOrder(honorCipherOrder);
        }
        String[] groups = namedGroups;
        if (groups != null) {
            p.setNamedGroups(groups.clone());
        }
        String[] schemes = signatureSchemes;
        if (schemes != null) {
            p.setSignatureSchemes(schemes.clone());
        }
    }
}
