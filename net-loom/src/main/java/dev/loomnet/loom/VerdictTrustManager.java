package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Node's certificate verification on top of the JDK's PKIX trust manager. Node (OpenSSL) lets every handshake
 * finish its chain check, keeps the verdict, and then either refuses ({@code rejectUnauthorized}) or carries on
 * with {@code authorized === false} and the reason in {@code authorizationError}. This trust manager does the
 * same: it asks the PKIX delegate, turns a failure into Node's code ({@link #classify}), records the verdict on
 * the handshake session (value {@link #VERDICT}, read back by {@link TlsChannel} once the handshake is over),
 * and throws only when the connection must be refused, with the code inside ({@link TlsErrors.RejectedCertificate}).
 *
 * <p>Called by the JDK on the thread running the handshake; the delegate is swapped by
 * {@code setSecureContext} from any thread (volatile), a handshake using whichever it read first.
 */
final class VerdictTrustManager extends X509ExtendedTrustManager {

    /** The session value holding a {@link Verdict}. */
    static final String VERDICT = "dev.loomnet.tls.verdict";

    /** The outcome of the chain check; {@code error} null when the chain is trusted. */
    record Verdict(@Nullable NetException error) {
    }

    private volatile X509ExtendedTrustManager delegate;
    private final boolean rejectUnauthorized;

    VerdictTrustManager(X509ExtendedTrustManager delegate, boolean rejectUnauthorized) {
        this.delegate = delegate;
        this.rejectUnauthorized = rejectUnauthorized;
    }

    /** New handshakes use {@code trust}; handshakes under way keep the one they had. */
    void replace(X509ExtendedTrustManager trust) {
        this.delegate = trust;
    }

    /** The check that may throw; the PKIX delegate's methods all have this shape. */
    private interface Check {
        void run(X509ExtendedTrustManager trust) throws CertificateException;
    }

    private void verify(X509Certificate[] chain, @Nullable SSLEngine engine, Check check) throws CertificateException {
        X509ExtendedTrustManager trust = delegate;
        NetException error = null;
        CertificateException failure = null;
        try {
            check.run(trust);
        } catch (CertificateException e) {
            failure = e;
            error = classify(chain, Arrays.asList(trust.getAcceptedIssuers()), e);
        }
        SSLSession handshake = engine == null ? null : engine.getHandshakeSession();
        if (handshake != null) {
            handshake.putValue(VERDICT, new Verdict(error));
        }
        if (error != null && rejectUnauthorized) {
            throw new TlsErrors.RejectedCertificate(error, failure);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, engine, t -> t.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, engine, t -> t.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain, null, t -> t.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain, null, t -> t.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, null, t -> t.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, null, t -> t.checkClientTrusted(chain, authType));
    }

    /**
     * The verdict on {@code chain} again, for a resumed session that does not carry the first one (the JDK's
     * stateless tickets keep the peer's chain but not the session's values): Node keeps OpenSSL's verify result
     * in the session, so a resumed connection reports what the full handshake did.
     *
     * @param ofServer whether {@code chain} is a server's (else a client's)
     * @return null when the chain is trusted, else Node's error
     */
    @Nullable NetException recheck(List<X509Certificate> chain, boolean ofServer) {
        X509Certificate[] certs = chain.toArray(new X509Certificate[0]);
        X509ExtendedTrustManager trust = delegate;
        String authType = certs[0].getPublicKey().getAlgorithm();
        try {
            if (ofServer) {
                trust.checkServerTrusted(certs, authType.equals("EC") ? "ECDHE_ECDSA" : "ECDHE_RSA");
            } else {
                trust.checkClientTrusted(certs, authType);
            }
            return null;
        } catch (CertificateException e) {
            return classify(certs, Arrays.asList(trust.getAcceptedIssuers()), e);
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    /**
     * OpenSSL's verdict, as Node reports it, on a chain the JDK refused. The JDK says "unable to find valid
     * certification path" for every chain that does not reach a trust anchor; OpenSSL tells them apart by
     * shape, and so does this: a lone self-signed certificate, a self-signed root sent but not trusted, a lone
     * leaf whose issuer is unknown, a longer chain whose top's issuer is unknown. A chain that does reach an
     * anchor failed for a reason the JDK names (validity, revocation, signature).
     */
    static NetException classify(X509Certificate[] chain, List<X509Certificate> anchors, CertificateException e) {
        if (chain.length == 0) {
            return error("UNABLE_TO_GET_ISSUER_CERT", "unable to get issuer certificate", e);
        }
        X509Certificate top = chain[chain.length - 1];
        boolean anchored = anchors.stream().anyMatch(a -> a.equals(top) || issuedBy(top, a));
        if (!anchored) {
            if (selfSigned(top)) {
                return chain.length == 1
                        ? error("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate", e)
                        : error("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain", e);
            }
            return chain.length == 1
                    ? error("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate", e)
                    : error("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate", e);
        }
        for (X509Certificate c : chain) {
            try {
                c.checkValidity();
            } catch (CertificateExpiredException expired) {
                return error("CERT_HAS_EXPIRED", "certificate has expired", e);
            } catch (CertificateNotYetValidException early) {
                return error("CERT_NOT_YET_VALID", "certificate is not yet valid", e);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathValidatorException cpve) {
                CertPathValidatorException.Reason reason = cpve.getReason();
                if (reason == CertPathValidatorException.BasicReason.REVOKED) {
                    return error("CERT_REVOKED", "certificate revoked", e);
                }
                if (reason == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
                    return error("UNABLE_TO_GET_CRL", "unable to get certificate CRL", e);
                }
                if (reason == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
                    return error("CERT_SIGNATURE_FAILURE", "certificate signature failure", e);
                }
                if (reason == java.security.cert.PKIXReason.NOT_CA_CERT) {
                    return error("INVALID_CA", "invalid CA certificate", e);
                }
            }
        }
        return error("CERT_REJECTED", "certificate rejected: " + e.getMessage(), e);
    }

    private static NetException error(String code, String message, Throwable cause) {
        return new NetException(code, message, null, null, 0, cause);
    }

    /** Whether {@code issuer} signed {@code cert}: names match and the signature verifies. */
    private static boolean issuedBy(X509Certificate cert, X509Certificate issuer) {
        if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static boolean selfSigned(X509Certificate cert) {
        return issuedBy(cert, cert);
    }
}
