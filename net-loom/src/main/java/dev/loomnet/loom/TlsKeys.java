package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One identity a TLS endpoint presents: a private key and its certificate chain (leaf first), read from Node's
 * {@code key}/{@code cert} PEM options or from a {@code pfx}. Compared by identity: the key manager hands out
 * one alias per instance.
 *
 * @param key   the private key
 * @param chain the certificates, leaf first
 */
record TlsKeys(PrivateKey key, List<X509Certificate> chain) {

    TlsKeys {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw Pem.noStartLine();
        }
    }

    /**
     * Node's {@code key} + {@code cert}: PEM text (or a file name) for each.
     *
     * @throws NetException with Node's code when a part cannot be read or the key is not the certificate's
     */
    static TlsKeys fromPem(String key, String cert, char @Nullable [] passphrase) {
        TlsKeys keys = new TlsKeys(Pem.privateKey(Pem.textOrFile(key), passphrase), Pem.certificates(Pem.textOrFile(cert)));
        keys.checkPair();
        return keys;
    }

    /**
     * Node's {@code pfx} + {@code passphrase}: the first key entry of a PKCS#12 store.
     *
     * @throws NetException {@code ERR_INVALID_ARG_VALUE} when the store cannot be opened with the passphrase
     */
    static TlsKeys fromPfx(byte[] pfx, char @Nullable [] passphrase) {
        char[] password = passphrase == null ? new char[0] : passphrase;
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(pfx), password);
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    Key key = store.getKey(alias, password);
                    Certificate[] chain = store.getCertificateChain(alias);
                    if (key instanceof PrivateKey pk && chain != null) {
                        List<X509Certificate> certs = new ArrayList<>();
                        for (Certificate c : chain) {
                            certs.add((X509Certificate) c);
                        }
                        return new TlsKeys(pk, certs);
                    }
                }
            }
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE, "pfx holds no private key with its certificate");
        } catch (IOException | GeneralSecurityException e) {
            // Node (OpenSSL) says "mac verify failure" for a wrong passphrase, without a code
            throw new NetException(NetException.ERR_INVALID_ARG_VALUE, "mac verify failure", null, null, 0, e);
        }
    }

    /** Whether these keys serve the JDK's key type ({@code RSA}, {@code EC}, {@code EC_RSA}, {@code EdDSA}...). */
    boolean fits(String keyType) {
        String algorithm = key.getAlgorithm();
        String type = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
        if (type.equals(algorithm)) {
            return true;
        }
        return algorithm.equals("EdDSA") && (type.equals("Ed25519") || type.equals("Ed448"));
    }

    /** Signs and verifies a few bytes: OpenSSL's "key values mismatch" when the key is not the leaf's. */
    private void checkPair() {
        PublicKey pub = chain.get(0).getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return;                                       // a kind this check does not know: the handshake will tell
        }
        byte[] probe = {'l', 'o', 'o', 'm'};
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another kind than the certificate's: a mismatch too
        }
        throw new NetException(TlsErrors.ERR_OSSL_X509_KEY_VALUES_MISMATCH,
                "error:05800074:x509 certificate routines::key values mismatch");
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
