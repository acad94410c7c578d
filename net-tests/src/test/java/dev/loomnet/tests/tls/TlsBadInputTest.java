package dev.loomnet.tests.tls;

import static dev.loomnet.tests.tls.TlsFixtures.PKI;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loomnet.net.NetException;
import dev.loomnet.net.Tls;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options that cannot work fail at the call that is given them ({@code TlsOptions.build()},
 * {@code Tls.createServer}, {@code Tls.connect}, {@code setSecureContext}, {@code addContext}), with Node's code
 * as {@link NetException#code()} and in the message, and nothing is left open.
 */
class TlsBadInputTest {

    @TempDir
    Path dir;

    private static NetException fails(String code, Executable call) {
        NetException e = assertThrows(NetException.class, call);
        assertEquals(code, e.code(), e::toString);
        return e;
    }

    @Test
    void an_unknown_version_name_has_nodes_code_and_message() {
        NetException min = fails("ERR_TLS_INVALID_PROTOCOL_VERSION",
                () -> TlsOptions.builder().minVersion("TLSv1.4").build());
        assertEquals("\"TLSv1.4\" is not a valid minimum TLS protocol version", min.getMessage());
        NetException max = fails("ERR_TLS_INVALID_PROTOCOL_VERSION",
                () -> TlsOptions.builder().maxVersion("SSLv3").build());
        assertEquals("\"SSLv3\" is not a valid maximum TLS protocol version", max.getMessage());
    }

    @Test
    void a_handshake_timeout_of_zero_or_less_is_out_of_range() {
        fails(NetException.ERR_OUT_OF_RANGE, () -> TlsOptions.builder().handshakeTimeout(Duration.ZERO).build());
        fails(NetException.ERR_OUT_OF_RANGE,
                () -> TlsOptions.builder().handshakeTimeout(Duration.ofSeconds(-1)).build());
    }

    @Test
    void null_arguments_are_invalid_arg_type() {
        fails(NetException.ERR_INVALID_ARG_TYPE, () -> TlsOptions.builder().key((String) nullValue()));
        fails(NetException.ERR_INVALID_ARG_TYPE, () -> Tls.createServer(nullValue()));
        fails(NetException.ERR_INVALID_ARG_TYPE, () -> Tls.connect(443, "localhost", nullValue()));
        fails(NetException.ERR_INVALID_ARG_TYPE,
                () -> Tls.createServer(TlsFixtures.serverOptions().build(), nullValue()));
    }

    @SuppressWarnings("TypeParameterUnusedInFormals")   // a typed null for the calls above
    private static <T> T nullValue() {
        return null;
    }

    /** PEM blocks whose content is not a key. */
    private static final String NOT_A_KEY = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";

    @Test
    void a_key_that_is_not_a_key_is_refused_with_openssls_code() {
        fails("ERR_OSSL_UNSUPPORTED",
                () -> Tls.createServer(TlsOptions.builder().key(NOT_A_KEY).cert(PKI.server.certText()).build()));
    }

    @Test
    void a_certificate_file_without_pem_is_refused_with_openssls_code() throws Exception {
        Path file = Files.writeString(dir.resolve("cert.pem"), "nonsense\n");
        fails("ERR_OSSL_PEM_NO_START_LINE",
                () -> Tls.createServer(TlsOptions.builder().key(PKI.server.keyText()).cert(file).build()));
    }

    @Test
    void text_that_is_neither_pem_nor_a_file_is_enoent() {
        NetException e = fails(NetException.ENOENT,
                () -> Tls.createServer(TlsOptions.builder().key("nonsense").cert(PKI.server.certText()).build()));
        assertEquals("ENOENT: no such file or directory, open 'nonsense'", e.getMessage());
    }

    @Test
    void a_key_that_does_not_match_the_certificate_is_refused() {
        fails("ERR_OSSL_X509_KEY_VALUES_MISMATCH",
                () -> Tls.createServer(TlsOptions.builder().key(PKI.other.keyText()).cert(PKI.server.certText())
                        .build()));
    }

    @Test
    void a_key_without_a_certificate_is_refused() {
        fails(NetException.ERR_INVALID_ARG_VALUE,
                () -> Tls.createServer(TlsOptions.builder().key(PKI.server.keyText()).build()));
    }

    @Test
    void a_missing_key_file_is_enoent() {
        fails(NetException.ENOENT, () -> Tls.createServer(TlsOptions.builder().key(dir.resolve("missing.pem"))
                .cert(PKI.server.certPem()).build()));
    }

    @Test
    void a_wrong_pfx_passphrase_is_refused() {
        byte[] p12 = read(PKI.server.p12());
        fails(NetException.ERR_INVALID_ARG_VALUE,
                () -> Tls.createServer(TlsOptions.builder().pfx(p12).passphrase("wrong").build()));
        TlsServer ok = Tls.createServer(TlsOptions.builder().pfx(p12).passphrase(TestPki.PASSWORD).build());
        ok.close();
    }

    @Test
    void an_encrypted_key_with_a_wrong_or_no_passphrase_is_bad_decrypt() throws Exception {
        Path encrypted = PKI.dir.resolve("server-encrypted.key");
        if (!Files.exists(encrypted)) {
            Files.writeString(encrypted, encryptedKey(PKI.server));
        }
        String pem = Files.readString(encrypted);
        fails("ERR_OSSL_BAD_DECRYPT", () -> Tls.createServer(TlsOptions.builder().key(pem)
                .cert(PKI.server.certText()).passphrase("wrong").build()));
        fails("ERR_OSSL_BAD_DECRYPT", () -> Tls.createServer(TlsOptions.builder().key(pem)
                .cert(PKI.server.certText()).build()));
        Tls.createServer(TlsOptions.builder().key(pem).cert(PKI.server.certText()).passphrase("secret").build())
                .close();
    }

    @Test
    void a_client_with_bad_key_material_fails_before_connecting() throws Exception {
        Path file = Files.writeString(dir.resolve("ca.pem"), "nonsense\n");
        fails("ERR_OSSL_PEM_NO_START_LINE", () -> Tls.connect(1, "127.0.0.1", TlsOptions.builder().ca(file).build()));
    }

    @Test
    void set_secure_context_and_add_context_check_their_options() {
        TlsServer server = Tls.createServer(TlsFixtures.serverOptions().build());
        fails("ERR_OSSL_UNSUPPORTED",
                () -> server.setSecureContext(TlsOptions.builder().key(NOT_A_KEY).cert(PKI.server.certText())
                        .build()));
        fails(NetException.ERR_INVALID_ARG_VALUE, () -> server.addContext("other.test", TlsOptions.builder().build()));
        fails(NetException.ERR_INVALID_ARG_TYPE, () -> server.addContext(nullValue(), TlsOptions.builder().build()));
        server.close();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code id}'s key as encrypted PKCS#8 PEM, passphrase {@code secret}. */
    private static String encryptedKey(TestPki.Identity id) throws Exception {
        return TestPki.encryptedPkcs8(id.key().getEncoded(), "secret".toCharArray());
    }
}
