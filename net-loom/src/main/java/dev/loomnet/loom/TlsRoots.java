package dev.loomnet.loom;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateEncodingException;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The JDK's default trust store (what a client without a {@code ca} option trusts): Node's
 * {@code tls.rootCertificates} as PEM texts, and the anchors a {@code crl} check starts from. Read once.
 */
final class TlsRoots {

    private TlsRoots() {
    }

    private static final class Holder {
        static final List<X509Certificate> ROOTS = load();
        static final List<String> PEMS = ROOTS.stream().map(TlsRoots::pem).toList();

        private static List<X509Certificate> load() {
            try {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
                List<X509Certificate> roots = new ArrayList<>();
                for (TrustManager tm : factory.getTrustManagers()) {
                    if (tm instanceof X509TrustManager x509) {
                        roots.addAll(List.of(x509.getAcceptedIssuers()));
                    }
                }
                return List.copyOf(roots);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK's default trust store cannot be read", e);
            }
        }
    }

    /** The default store's certificates as PEM texts, immutable. */
    static List<String> pems() {
        return Holder.PEMS;
    }

    /** The default store's certificates as trust anchors. */
    static Set<TrustAnchor> anchors() {
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate root : Holder.ROOTS) {
            anchors.add(new TrustAnchor(root, null));
        }
        return anchors;
    }

    private static String pem(X509Certificate cert) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("a trusted certificate cannot be encoded", e);
        }
    }
}
