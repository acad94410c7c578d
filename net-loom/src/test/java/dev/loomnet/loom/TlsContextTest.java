package dev.loomnet.loom;

import static dev.loomnet.loom.TlsChannelTest.PKI;
import static dev.loomnet.loom.TlsChannelTest.client;
import static dev.loomnet.loom.TlsChannelTest.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.net.NetException;
import dev.loomnet.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsContext} and its options: SNI selection ({@code addContext}, wildcards, {@code SNICallback}),
 * certificate rotation ({@code setSecureContext}) with connections open, and every key form Node reads.
 */
class TlsContextTest {

    private static X509Certificate servedFor(TlsContext servers, String servername) throws Exception {
        try (TlsPair p = TlsPair.tcp(client(b -> b.servername(servername)), servers, "localhost")) {
            p.handshake();
            assertEquals(servername, p.server.info().servername());
            return p.client.info().peerCertificates().get(0);
        }
    }

    private static TlsConfig keysOf(TestPki.Identity id) {
        return TlsConfig.server().key(id.keyText()).cert(id.certText()).build();
    }

    @Test
    void add_context_picks_the_certificate_by_server_name() throws Exception {
        TlsContext servers = server(b -> { });
        servers.addContext("other.test", keysOf(PKI.other));
        servers.addContext("*.wild.test", keysOf(PKI.other));
        assertEquals(PKI.other.cert(), servedFor(servers, "other.test"));
        assertEquals(PKI.other.cert(), servedFor(servers, "a.wild.test"));
        assertEquals(PKI.server.cert(), servedFor(servers, "localhost"));
    }

    @Test
    void sni_callback_chooses_per_name_and_null_means_the_default() throws Exception {
        TlsKeys other = TlsKeys.fromPem(PKI.other.keyText(), PKI.other.certText(), null);
        TlsContext servers = server(b -> b.sniCallback(name -> name.endsWith(".test") ? other : null));
        assertEquals(PKI.other.cert(), servedFor(servers, "other.test"));
        assertEquals(PKI.server.cert(), servedFor(servers, "localhost"));
    }

    @Test
    void set_secure_context_changes_new_handshakes_and_leaves_open_connections_alone() throws Exception {
        TlsContext servers = server(b -> { });
        try (TlsPair before = TlsPair.tcp(client(b -> { }), servers, "localhost")) {
            before.handshake();
            servers.setSecureContext(TlsConfig.server().key(PKI.rsaServer().keyText()).cert(PKI.rsaServer().certText())
                    .build());
            try (TlsPair after = TlsPair.tcp(client(b -> { }), servers, "localhost")) {
                after.handshake();
                assertEquals(PKI.rsaServer().cert(), after.client.info().peerCertificates().get(0));
            }
            TlsPair.write(before.client, "still");
            assertEquals("still", new String(TlsPair.readExactly(before.server, 5), StandardCharsets.UTF_8));
            assertEquals(PKI.server.cert(), before.client.info().peerCertificates().get(0));
        }
    }

    /** Connects a client trusting the CA to a server with {@code options}; passes when the handshake does. */
    private static void serves(TlsConfig options) throws Exception {
        try (TlsPair p = TlsPair.tcp(client(b -> { }), TlsContext.of(options), "localhost")) {
            p.handshake();
        }
    }

    @Test
    void key_forms_pkcs8_pkcs1_pfx_and_files() throws Exception {
        serves(TlsConfig.server().key(PKI.server.keyPem().toString()).cert(PKI.server.certPem().toString()).build());
        String pkcs1 = TestPki.pem("RSA PRIVATE KEY", TestPki.pkcs1Of(PKI.rsaServer().key()));
        serves(TlsConfig.server().key(pkcs1).cert(PKI.rsaServer().certText()).build());
        serves(TlsConfig.server().pfxFile(PKI.server.p12()).passphrase(TestPki.PASSWORD).build());
    }

    @Test
    void an_encrypted_pkcs8_key_with_its_passphrase() throws Exception {
        String encrypted = encrypt(PKI.server.key().getEncoded(), "s3cret".toCharArray());
        serves(TlsConfig.server().key(encrypted).passphrase("s3cret").cert(PKI.server.certText()).build());
        NetException wrong = assertThrows(NetException.class, () -> TlsConfig.server().key(encrypted)
                .passphrase("nope").cert(PKI.server.certText()).build().keys());
        assertEquals(TlsErrors.ERR_OSSL_BAD_DECRYPT, wrong.code());
        NetException none = assertThrows(NetException.class, () -> TlsConfig.server().key(encrypted)
                .cert(PKI.server.certText()).build().keys());
        assertEquals(TlsErrors.ERR_OSSL_BAD_DECRYPT, none.code());
    }

    /** PKCS#8 encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), as {@code openssl pkcs8 -topk8} writes. */
    private static String encrypt(byte[] pkcs8, char[] passphrase) throws Exception {
        return TestPki.encryptedPkcs8(pkcs8, passphrase);
    }

    @Test
    void sec1_and_encrypted_pkcs8_keys_as_openssl_writes_them() throws Exception {
        Path openssl = Path.of("/usr/bin/openssl");
        assumeTrue(Files.isExecutable(openssl), "openssl is not installed: the SEC1 key is made with it");
        Path sec1 = Files.createTempFile("loomnet-sec1", ".pem");
        try {
            Process p = new ProcessBuilder(openssl.toString(), "ec", "-in", PKI.server.keyPem().toString(),
                    "-out", sec1.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertEquals(true, p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0);
            String text = Files.readString(sec1, StandardCharsets.US_ASCII);
            assumeTrue(text.contains("EC PRIVATE KEY"), "this openssl wrote " + text.lines().findFirst().orElse(""));
            serves(TlsConfig.server().key(text).cert(PKI.server.certText()).build());
            p = new ProcessBuilder(openssl.toString(), "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in",
                    PKI.server.keyPem().toString(), "-out", sec1.toString(), "-passout", "pass:s3cret")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertEquals(true, p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0);
            String encrypted = Files.readString(sec1, StandardCharsets.US_ASCII);
            serves(TlsConfig.server().key(encrypted).passphrase("s3cret").cert(PKI.server.certText()).build());
        } finally {
            Files.deleteIfExists(sec1);
        }
    }

    @Test
    void bad_key_material_gives_nodes_codes() throws IOException {
        assertEquals(TlsErrors.ERR_OSSL_UNSUPPORTED, assertThrows(NetException.class, () -> TlsConfig.server()
                .key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").cert(PKI.server.certText())
                .build().keys()).code());
        assertEquals(TlsErrors.ERR_OSSL_PEM_NO_START_LINE, assertThrows(NetException.class, () -> TlsConfig.server()
                .key(PKI.server.keyText()).cert("-----BEGIN NOTHING-----\n-----END NOTHING-----\n").build().keys())
                .code());
        assertEquals(TlsErrors.ERR_OSSL_X509_KEY_VALUES_MISMATCH, assertThrows(NetException.class,
                () -> TlsConfig.server().key(PKI.client.keyText()).cert(PKI.server.certText()).build().keys()).code());
        NetException pfx = assertThrows(NetException.class, () -> TlsConfig.server()
                .pfx(Files.readAllBytes(PKI.server.p12())).passphrase("wrong").build().keys());
        assertEquals("mac verify failure", pfx.getMessage());
        assertEquals(NetException.ENOENT, assertThrows(NetException.class, () -> TlsConfig.server()
                .key("/no/such/key.pem").cert(PKI.server.certText()).build().keys()).code());
    }
}
