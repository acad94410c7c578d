package dev.loomnet.loom;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenSSL's names of cipher suites, which Node's {@code getCipher().name} gives, from the IANA names the JDK
 * uses ({@code standardName}). OpenSSL derives them by a regular scheme: TLS 1.3 suites keep their IANA name;
 * TLS 1.2 suites drop {@code TLS_} and {@code _WITH_}, drop the key exchange when it is plain RSA, write
 * {@code AES_128} as {@code AES128} and drop {@code CBC}; ChaCha20 suites drop their hash. A suite outside the
 * scheme keeps its IANA name.
 */
final class TlsCipherNames {

    private static final Pattern TLS12 = Pattern.compile("TLS_(\\w+?)_WITH_(\\w+)");
    private static final Pattern AES = Pattern.compile("AES_(\\d+)_(GCM|CBC|CCM|CCM_8)(?:_(SHA\\d*))?");

    private TlsCipherNames() {
    }

    /** OpenSSL's name of the suite the JDK calls {@code iana}. */
    static String openSsl(String iana) {
        Matcher m = TLS12.matcher(iana);
        if (!m.matches()) {
            return iana;                                  // TLS 1.3 suites, signalling values
        }
        String exchange = m.group(1);
        String cipher = cipher(m.group(2));
        if (cipher == null) {
            return iana;
        }
        return exchange.equals("RSA") ? cipher : exchange.replace('_', '-') + "-" + cipher;
    }

    private static @org.jspecify.annotations.Nullable String cipher(String bulkAndHash) {
        if (bulkAndHash.equals("CHACHA20_POLY1305_SHA256")) {
            return "CHACHA20-POLY1305";
        }
        Matcher m = AES.matcher(bulkAndHash);
        if (!m.matches()) {
            return null;
        }
        String bits = m.group(1);
        String hash = m.group(3);
        return switch (m.group(2)) {
            case "GCM" -> "AES" + bits + "-GCM-" + hash;
            case "CBC" -> "AES" + bits + "-" + hash;
            case "CCM" -> "AES" + bits + "-CCM";
            default -> "AES" + bits + "-CCM8";
        };
    }
}
