package dev.loomnet.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;

/**
 * A test PKI made at run time with {@code java.security} alone (no file is committed): the JDK has no public
 * API to issue certificates, so the few DER structures of an X.509 v3 certificate are written here and signed
 * with {@link Signature}. EC P-256 keys (fast to make), one RSA key for the PKCS#1 path. Made once per JVM
 * ({@link #get()}) into a temporary directory, deleted at exit, as PEM (PKCS#8 key, certificate, chain) and
 * PKCS#12 files that {@code node} and {@code openssl} read too.
 *
 * <p>Identities: {@link #ca} (the trusted root); {@link #server} ({@code localhost}, {@code 127.0.0.1},
 * {@code ::1}); {@link #other} ({@code other.test}, {@code *.wild.test}, for SNI); {@link #client}; {@link #expired}
 * (for {@code localhost}, expired in 2020); {@link #wrongName} (only {@code wrong.example}); {@link #selfSigned}
 * ({@code localhost}, its own issuer); {@link #stranger} ({@code localhost}, issued by {@link #otherCa}, which
 * nobody trusts); {@link #rsaServer()} ({@code localhost}, RSA, made on first use).
 */
public final class TestPki {

    /** The PKCS#12 files' password. */
    public static final String PASSWORD = "loomnet";

    /** One key and its chain, leaf first, with the files written for it. */
    public record Identity(String name, PrivateKey key, List<X509Certificate> chain, Path keyPem, Path certPem,
                           Path chainPem) {

        /**
         * The key and chain as a PKCS#12 file (password {@link #PASSWORD}), written on first use: PKCS#12's
         * key derivation makes each store cost tens of milliseconds.
         */
        public Path p12() {
            Path p12 = keyPem.resolveSibling(name + ".p12");
            synchronized (Identity.class) {
                if (!Files.exists(p12)) {
                    try {
                        KeyStore store = KeyStore.getInstance("PKCS12");
                        store.load(null, null);
                        store.setKeyEntry(name, key, PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
                        try (OutputStream o = Files.newOutputStream(p12)) {
                            store.store(o, PASSWORD.toCharArray());
                        }
                    } catch (GeneralSecurityException | IOException e) {
                        throw new IllegalStateException("cannot write " + p12, e);
                    }
                }
            }
            return p12;
        }

        /** The leaf certificate. */
        public X509Certificate cert() {
            return chain.get(0);
        }

        /** The PKCS#8 key as PEM text. */
        public String keyText() {
            return read(keyPem);
        }

        /** The leaf as PEM text. */
        public String certText() {
            return read(certPem);
        }

        /** Leaf and issuers as PEM text. */
        public String chainText() {
            return read(chainPem);
        }
    }

    private static final class Holder {
        static final TestPki PKI = create();
    }

    public final Path dir;
    public final Identity ca;
    public final Identity otherCa;
    public final Identity server;
    public final Identity other;
    public final Identity client;
    public final Identity expired;
    public final Identity wrongName;
    public final Identity selfSigned;
    public final Identity stranger;
    private Identity rsaServer;

    private TestPki(Path dir) throws GeneralSecurityException, IOException {
        this.dir = dir;
        Instant now = Instant.now();
        Instant from = now.minus(Duration.ofDays(1));
        Instant to = now.plus(Duration.ofDays(30));
        ca = issue(dir, "ca", "CN=loomnet test CA,O=loomnet", ec(), null, from, to, true, List.of());
        otherCa = issue(dir, "other-ca", "CN=loomnet untrusted CA,O=loomnet", ec(), null, from, to, true, List.of());
        List<String> localhost = List.of("DNS:localhost", "IP:127.0.0.1", "IP:::1");
        server = issue(dir, "server", "CN=localhost", ec(), ca, from, to, false, localhost);
        other = issue(dir, "other", "CN=other.test", ec(), ca, from, to, false, List.of("DNS:other.test", "DNS:*.wild.test"));
        client = issue(dir, "client", "CN=loomnet client", ec(), ca, from, to, false, List.of());
        expired = issue(dir, "expired", "CN=localhost", ec(), ca, Instant.parse("2020-01-01T00:00:00Z"),
                Instant.parse("2020-02-01T00:00:00Z"), false, localhost);
        wrongName = issue(dir, "wrong-name", "CN=wrong.example", ec(), ca, from, to, false, List.of("DNS:wrong.example"));
        selfSigned = issue(dir, "self-signed", "CN=localhost", ec(), null, from, to, false, localhost);
        stranger = issue(dir, "stranger", "CN=localhost", ec(), otherCa, from, to, false, localhost);
    }

    /** {@code localhost} with an RSA key (for the PKCS#1 form), made on first use: RSA keys are slow to make. */
    public synchronized Identity rsaServer() {
        if (rsaServer == null) {
            try {
                KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
                rsa.initialize(2048);
                Instant now = Instant.now();
                rsaServer = issue(dir, "rsa-server", "CN=localhost", rsa.generateKeyPair(), ca,
                        now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), false,
                        List.of("DNS:localhost", "IP:127.0.0.1", "IP:::1"));
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot make the RSA identity", e);
            }
        }
        return rsaServer;
    }

    /**
     * {@code pkcs8} encrypted as OpenSSL's {@code openssl pkcs8 -topk8 -v2 aes-256-cbc} writes it (PBES2, AES-256),
     * as {@code ENCRYPTED PRIVATE KEY} PEM text.
     */
    public static String encryptedPkcs8(byte[] pkcs8, char[] passphrase) throws GeneralSecurityException, IOException {
        String scheme = "PBEWithHmacSHA256AndAES_256";
        byte[] salt = new byte[16];
        byte[] iv = new byte[16];
        new SecureRandom().nextBytes(salt);
        new SecureRandom().nextBytes(iv);
        javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance(scheme);
        cipher.init(javax.crypto.Cipher.ENCRYPT_MODE, javax.crypto.SecretKeyFactory.getInstance(scheme)
                        .generateSecret(new javax.crypto.spec.PBEKeySpec(passphrase)),
                new javax.crypto.spec.PBEParameterSpec(salt, 10_000, new javax.crypto.spec.IvParameterSpec(iv)));
        // EncryptedPrivateKeyInfo names the scheme by its PKCS#5 OID: the parameters as "PBES2"
        java.security.AlgorithmParameters params = java.security.AlgorithmParameters.getInstance("PBES2");
        params.init(cipher.getParameters().getEncoded());
        return pem("ENCRYPTED PRIVATE KEY", new javax.crypto.EncryptedPrivateKeyInfo(params, cipher.doFinal(pkcs8))
                .getEncoded());
    }

    /** The PKI of this JVM, made on first use. */
    public static TestPki get() {
        return Holder.PKI;
    }

    private static TestPki create() {
        try {
            Path dir = Files.createTempDirectory("loomnet-pki-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            return new TestPki(dir);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make the test PKI", e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system cleans it up eventually
        }
    }

    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** Issues a certificate for {@code keys}, signed by {@code issuer} (null: self-signed), and writes its files. */
    private static Identity issue(Path dir, String name, String subject, KeyPair keys, Identity issuer, Instant from,
                                  Instant to, boolean isCa, List<String> altNames)
            throws GeneralSecurityException, IOException {
        PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.key();
        X500Principal issuerName = issuer == null ? new X500Principal(subject)
                : issuer.cert().getSubjectX500Principal();
        byte[] spki = keys.getPublic().getEncoded();
        byte[] issuerSpki = issuer == null ? spki : issuer.cert().getPublicKey().getEncoded();
        boolean rsaSigner = signingKey.getAlgorithm().equals("RSA");
        byte[] sigAlg = rsaSigner ? seq(oid("1.2.840.113549.1.1.11"), der(0x05, new byte[0])) : seq(oid("1.2.840.10045.4.3.2"));

        List<byte[]> extensions = new ArrayList<>();
        extensions.add(extension("2.5.29.19", true, isCa ? seq(der(0x01, (byte) 0xFF)) : seq()));
        byte[] keyUsage = isCa ? der(0x03, (byte) 0x01, (byte) 0x06)                // keyCertSign, cRLSign
                : keys.getPublic().getAlgorithm().equals("RSA") ? der(0x03, (byte) 0x05, (byte) 0xA0)
                : der(0x03, (byte) 0x07, (byte) 0x80);                              // digitalSignature
        extensions.add(extension("2.5.29.15", true, keyUsage));
        extensions.add(extension("2.5.29.14", false, der(0x04, keyId(spki))));
        extensions.add(extension("2.5.29.35", false, seq(der(0x80, keyId(issuerSpki)))));
        if (!isCa) {                                                                 // serverAuth, clientAuth
            extensions.add(extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))));
        }
        if (!altNames.isEmpty()) {
            List<byte[]> names = new ArrayList<>();
            for (String san : altNames) {
                names.add(san.startsWith("DNS:") ? der(0x82, san.substring(4).getBytes(StandardCharsets.US_ASCII))
                        : der(0x87, InetAddress.getByName(san.substring(3)).getAddress()));
            }
            extensions.add(extension("2.5.29.17", false, seq(names.toArray(new byte[0][]))));
        }
        byte[] serial = new byte[9];
        new SecureRandom().nextBytes(serial);
        serial[0] = 0x01;                                                            // positive, no leading zero
        byte[] tbs = seq(
                der(0xA0, der(0x02, (byte) 2)),                                      // v3
                der(0x02, serial),
                sigAlg,
                issuerName.getEncoded(),
                seq(time(from), time(to)),
                new X500Principal(subject).getEncoded(),
                spki,
                der(0xA3, seq(extensions.toArray(new byte[0][]))));
        Signature signer = Signature.getInstance(rsaSigner ? "SHA256withRSA" : "SHA256withECDSA");
        signer.initSign(signingKey);
        signer.update(tbs);
        byte[] signature = signer.sign();
        byte[] bitString = new byte[signature.length + 1];
        System.arraycopy(signature, 0, bitString, 1, signature.length);
        byte[] certDer = seq(tbs, sigAlg, der(0x03, bitString));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certDer));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(cert);
        if (issuer != null) {
            chain.addAll(issuer.chain());
        }
        Path keyPem = write(dir.resolve(name + ".key.pem"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        Path certPem = write(dir.resolve(name + ".cert.pem"), pem("CERTIFICATE", cert.getEncoded()));
        StringBuilder chainText = new StringBuilder();
        for (X509Certificate c : chain) {
            chainText.append(pem("CERTIFICATE", c.getEncoded()));
        }
        Path chainPem = write(dir.resolve(name + ".chain.pem"), chainText.toString());
        return new Identity(name, keys.getPrivate(), List.copyOf(chain), keyPem, certPem, chainPem);
    }

    /**
     * A version 2 revocation list signed by {@code issuer} (valid from a day ago for 30 days) revoking
     * {@code revoked}, as PEM text ({@code X509 CRL}), which Node's and loomnet's {@code crl} options read.
     */
    public static String crl(Identity issuer, List<X509Certificate> revoked) throws GeneralSecurityException {
        Instant now = Instant.now();
        byte[] sigAlg = seq(oid("1.2.840.10045.4.3.2"));                            // ecdsa-with-SHA256
        List<byte[]> entries = new ArrayList<>();
        for (X509Certificate cert : revoked) {
            entries.add(seq(der(0x02, cert.getSerialNumber().toByteArray()), time(now.minus(Duration.ofHours(1)))));
        }
        List<byte[]> tbs = new ArrayList<>(List.of(der(0x02, (byte) 1), sigAlg,
                issuer.cert().getSubjectX500Principal().getEncoded(), time(now.minus(Duration.ofDays(1))),
                time(now.plus(Duration.ofDays(30)))));
        if (!entries.isEmpty()) {
            tbs.add(seq(entries.toArray(new byte[0][])));
        }
        tbs.add(der(0xA0, seq(                                                       // CRL number 1, the key id
                extension("2.5.29.20", false, der(0x02, (byte) 1)),
                extension("2.5.29.35", false, seq(der(0x80, keyId(issuer.cert().getPublicKey().getEncoded())))))));
        byte[] tbsDer = seq(tbs.toArray(new byte[0][]));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(issuer.key());
        signer.update(tbsDer);
        byte[] signature = signer.sign();
        byte[] bitString = new byte[signature.length + 1];
        System.arraycopy(signature, 0, bitString, 1, signature.length);
        return pem("X509 CRL", seq(tbsDer, sigAlg, der(0x03, bitString)));
    }

    /** PEM text of one block. */
    public static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** The DER of a PKCS#8 RSA key's inner PKCS#1 key (for the {@code RSA PRIVATE KEY} form). */
    public static byte[] pkcs1Of(PrivateKey rsaKey) {
        byte[] pkcs8 = rsaKey.getEncoded();
        // PrivateKeyInfo: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING pkcs1 }: the last element
        int[] outer = header(pkcs8, 0);
        int at = outer[0];
        for (int i = 0; i < 2; i++) {
            int[] h = header(pkcs8, at);
            at = h[0] + h[1];
        }
        int[] octets = header(pkcs8, at);
        byte[] inner = new byte[octets[1]];
        System.arraycopy(pkcs8, octets[0], inner, 0, inner.length);
        return inner;
    }

    /** {content start, content length} of the element at {@code at}. */
    private static int[] header(byte[] der, int at) {
        int first = der[at + 1] & 0xFF;
        if (first < 0x80) {
            return new int[] {at + 2, first};
        }
        int octets = first & 0x7F;
        int length = 0;
        for (int i = 0; i < octets; i++) {
            length = (length << 8) | (der[at + 2 + i] & 0xFF);
        }
        return new int[] {at + 2 + octets, length};
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path file, String text) throws IOException {
        return Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    private static byte[] keyId(byte[] spki) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-1").digest(spki);
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical ? seq(oid(oid), der(0x01, (byte) 0xFF), der(0x04, value)) : seq(oid(oid), der(0x04, value));
    }

    private static byte[] time(Instant t) {
        int year = t.atZone(ZoneOffset.UTC).getYear();
        if (year < 2050) {
            return der(0x17, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t)
                    .getBytes(StandardCharsets.US_ASCII));
        }
        return der(0x18, DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t)
                .getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.", -1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            BigInteger arc = new BigInteger(arcs[i]);
            int groups = Math.max(1, (arc.bitLength() + 6) / 7);
            for (int g = groups - 1; g >= 0; g--) {
                int seven = arc.shiftRight(7 * g).intValue() & 0x7F;
                body.write(g == 0 ? seven : seven | 0x80);
            }
        }
        return der(0x06, body.toByteArray());
    }

    private static byte[] seq(byte[]... parts) {
        return der(0x30, parts);
    }

    private static byte[] der(int tag, byte... content) {
        return der(tag, new byte[][] {content});
    }

    private static byte[] der(int tag, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        int length = body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else if (length <= 0xFF) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }
}
