package dev.loomnet.loom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loomnet.net.NetException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How {@link TlsCiphers} reads OpenSSL's cipher list: the order of the names, {@code -}, {@code !} and a leading
 * {@code +}, {@code TLS_} names for TLS 1.3 (the JDK's own when none is named), and no match.
 */
class TlsCiphersTest {

    private static final String A128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final String A256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";

    private static List<String> tls12(String list) {
        return Arrays.stream(TlsCiphers.select(list)).filter(s -> !TlsCiphers.isTls13(s)).toList();
    }

    private static List<String> tls13(String list) {
        return Arrays.stream(TlsCiphers.select(list)).filter(TlsCiphers::isTls13).toList();
    }

    @Test
    void names_keep_their_order_and_tls13_suites_stay_the_jdks_unless_named() {
        assertEquals(List.of(A256, A128), tls12("ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256"));
        assertEquals(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"),
                tls13("ECDHE-ECDSA-AES256-GCM-SHA384"));
        assertEquals(List.of("TLS_AES_128_GCM_SHA256"), tls13("TLS_AES_128_GCM_SHA256"));
        assertEquals(List.of(), tls12("TLS_AES_128_GCM_SHA256"), "only TLS 1.3 named: no TLS 1.2 suite");
    }

    @Test
    void minus_removes_bang_bans_and_plus_moves_to_the_end() {
        assertEquals(List.of(A128), tls12("ECDHE+ECDSA+AESGCM:-AES256:ECDHE-ECDSA-AES128-GCM-SHA256"));
        assertEquals(List.of(A128, A256), tls12("ECDHE+ECDSA+AESGCM:-AES256:ECDHE-ECDSA-AES256-GCM-SHA384"),
                "removed with -, added again");
        assertEquals(List.of(A128), tls12("!AES256:ECDHE+ECDSA+AESGCM:ECDHE-ECDSA-AES256-GCM-SHA384"),
                "banned with !, never added again");
        assertEquals(List.of(A128, A256), tls12(
                "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:+AES256"));
        assertEquals(List.of(A256, A128), tls12("@STRENGTH:NOPE:ECDHE-ECDSA-AES256-GCM-SHA384:"
                + "ECDHE-ECDSA-AES128-GCM-SHA256"), "directives and unknown words are ignored");
    }

    @Test
    void nothing_matching_is_err_ssl_no_cipher_match() {
        for (String list : List.of("NOPE", "ecdhe-ecdsa-aes128-gcm-sha256", "!ALL", "TLS_NOPE", A128)) {
            assertEquals("ERR_SSL_NO_CIPHER_MATCH", assertThrows(NetException.class, () -> TlsCiphers.select(list))
                    .code(), list);
        }
    }
}
