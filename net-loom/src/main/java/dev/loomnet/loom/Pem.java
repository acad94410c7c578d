package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Reads Node's PEM options with {@code java.security} alone: certificate chains ({@code CERTIFICATE} blocks)
 * and private keys as PKCS#8 ({@code PRIVATE KEY}), PKCS#8 encrypted with a passphrase
 * ({@code ENCRYPTED PRIVATE KEY}, PBES2 as OpenSSL 3 writes it), PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1
 * ({@code EC PRIVATE KEY}); the last two are wrapped into PKCS#8, which is all the JDK's key factories read.
 * Failures carry the codes Node (OpenSSL 3) gives for the same input.
 */
final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    private static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";
    /** Tried in turn on a PKCS#8 key, whose algorithm the JDK's spec does not name. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA");

    /** One PEM block: its label and its decoded bytes. */
    static final class Block {
        private final String label;
        private final byte[] der;

        Block(String label, byte[] der) {
            this.label = label;
            this.der = der;
        }

        String label() {
            return label;
        }

        byte[] der() {
            return der;
        }
    }

    private Pem() {
    }

    /** Every PEM block in {@code text}, in order; text between blocks (OpenSSL's "Bag Attributes") is skipped. */
    static List<Block> blocks(String text) {
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String body = m.group(2);
            if (body.contains("Proc-Type:")) {
                throw new NetException(TlsErrors.ERR_OSSL_UNSUPPORTED,
                        "error:1E08010C:DECODER routines::unsupported (legacy encrypted PEM: use PKCS#8)");
            }
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(body)));
            } catch (IllegalArgumentException e) {
                throw new NetException(TlsErrors.ERR_OSSL_PEM_BAD_BASE64_DECODE,
                        "error:1E08010C:PEM routines::bad base64 decode", null, null, 0, e);
            }
        }
        return blocks;
    }

    /**
     * The certificates of every {@code CERTIFICATE} block, in order (a chain: leaf first).
     *
     * @throws NetException {@code ERR_OSSL_PEM_NO_START_LINE} when there is none, as Node's {@code cert}
     */
    static List<X509Certificate> certificates(String text) {
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(text)) {
                if (b.label().equals("CERTIFICATE") || b.label().equals("TRUSTED CERTIFICATE")) {
                    certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (CertificateException e) {
            throw new NetException(TlsErrors.ERR_OSSL_ASN1_WRONG_TAG, "error:0680007B:asn1 encoding routines::"
                    + "header too long (" + e.getMessage() + ")", null, null, 0, e);
        }
        if (certs.isEmpty()) {
            throw noStartLine();
        }
        return certs;
    }

    /**
     * The first private key in {@code text}.
     *
     * @param passphrase the passphrase of an {@code ENCRYPTED PRIVATE KEY}, or null
     * @throws NetException {@code ERR_OSSL_UNSUPPORTED} for what is not a readable key,
     *                      {@code ERR_OSSL_BAD_DECRYPT} for an encrypted key without the right passphrase
     */
    static PrivateKey privateKey(String text, char @Nullable [] passphrase) {
        for (Block b : blocks(text)) {
            PrivateKey key = switch (b.label()) {
                case "PRIVATE KEY" -> pkcs8(b.der());
                case "RSA PRIVATE KEY" -> pkcs8(wrap(Der.encode(Der.SEQUENCE, Der.oid(RSA_ENCRYPTION),
                        Der.encode(Der.NULL)), b.der()));
                case "EC PRIVATE KEY" -> pkcs8(wrap(Der.encode(Der.SEQUENCE, Der.oid(EC_PUBLIC_KEY), curveOf(b.der())),
                        b.der()));
                case "ENCRYPTED PRIVATE KEY" -> pkcs8(decrypt(b.der(), passphrase));
                default -> null;                          // EC PARAMETERS, certificates: not the key
            };
            if (key != null) {
                return key;
            }
        }
        throw unsupported(null);
    }

    /** PKCS#8 {@code PrivateKeyInfo}: version 0, the algorithm, the inner key as an OCTET STRING. */
    private static byte[] wrap(byte[] algorithm, byte[] innerKey) {
        return Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new byte[] {0}), algorithm,
                Der.encode(Der.OCTET_STRING, innerKey));
    }

    /** SEC1 {@code ECPrivateKey}: version, key, {@code [0]} the curve's OID (which PKCS#8 wants outside). */
    private static byte[] curveOf(byte[] sec1) {
        try {
            for (Der.Element e : Der.sequence(sec1)) {
                if (e.tag() == Der.CONTEXT_0) {
                    Der.Element curve = Der.read(e.content(), 0);
                    if (curve.tag() == Der.OID) {
                        return Der.encode(curve);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            throw unsupported(e);
        }
        throw unsupported(null);                          // explicit curve parameters: not supported
    }

    private static byte[] decrypt(byte[] der, char @Nullable [] passphrase) {
        if (passphrase == null) {
            throw badDecrypt(null);
        }
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            // getAlgName() names the whole scheme (e.g. PBEWithHmacSHA256AndAES_256 for PBES2) so that the
            // key factory and the cipher are found by the same name
            String scheme = info.getAlgParameters() == null ? info.getAlgName() : info.getAlgParameters().toString();
            SecretKeyFactory factory = SecretKeyFactory.getInstance(scheme);
            Cipher cipher = Cipher.getInstance(scheme);
            cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(passphrase)),
                    info.getAlgParameters());
            return info.getKeySpec(cipher).getEncoded();
        } catch (InvalidKeySpecException e) {
            throw badDecrypt(e);                          // the padding check failed: wrong passphrase
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw unsupported(e);
        }
    }

    private static PrivateKey pkcs8(byte[] der) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw unsupported(last);
    }

    static NetException noStartLine() {
        return new NetException(TlsErrors.ERR_OSSL_PEM_NO_START_LINE, "error:0480006C:PEM routines::no start line");
    }

    private static NetException unsupported(@Nullable Exception cause) {
        return new NetException(TlsErrors.ERR_OSSL_UNSUPPORTED, "error:1E08010C:DECODER routines::unsupported",
                null, null, 0, cause);
    }

    private static NetException badDecrypt(@Nullable Exception cause) {
        return new NetException(TlsErrors.ERR_OSSL_BAD_DECRYPT, "error:1C800064:Provider routines::bad decrypt",
                null, null, 0, cause);
    }

    /** {@code text} if it holds a PEM block, else the file it names read as text (Node takes either). */
    static String textOrFile(String textOrPath) {
        if (textOrPath.contains("-----BEGIN ")) {
            return textOrPath;
        }
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(textOrPath), StandardCharsets.UTF_8);
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            throw new NetException(NetException.ENOENT, "ENOENT: no such file or directory, open '" + textOrPath + "'",
                    "open", textOrPath, 0, e);
        }
    }

    /**
     * The revocation lists of every {@code X509 CRL} block (Node's {@code crl} option).
     *
     * @throws NetException {@code ERR_CRYPTO_OPERATION_FAILED} ("Failed to parse CRL") when there is none or
     *                      one cannot be read, as Node's
     */
    static List<java.security.cert.X509CRL> crls(String text) {
        List<java.security.cert.X509CRL> crls = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(text)) {
                if (b.label().equals("X509 CRL")) {
                    crls.add((java.security.cert.X509CRL) factory.generateCRL(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (GeneralSecurityException | NetException e) {
            throw new NetException("ERR_CRYPTO_OPERATION_FAILED", "ERR_CRYPTO_OPERATION_FAILED: Failed to parse CRL: " + e.getMessage(),
                    null, null, 0, e);
        }
        if (crls.isEmpty()) {
            throw new NetException("ERR_CRYPTO_OPERATION_FAILED", "ERR_CRYPTO_OPERATION_FAILED: Failed to parse CRL: no X509 CRL block");
        }
        return crls;
    }
}
