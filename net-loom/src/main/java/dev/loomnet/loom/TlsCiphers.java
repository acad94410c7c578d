package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * Node's {@code ciphers} option and {@code tls.getCiphers()} over the suites the JDK enables. The option is
 * OpenSSL's cipher list: {@code TLS_} names pick TLS 1.3 suites (as Node splits them off for
 * {@code SSL_CTX_set_ciphersuites}; an unknown one is an error), the rest is read as OpenSSL reads a TLS 1.2
 * list: names and keywords joined by {@code +}, added in order, {@code -} removing, {@code !} removing for good,
 * a leading {@code +} moving to the end, {@code @} directives and unknown words ignored, and no match at all an
 * error. Without {@code TLS_} names the JDK's TLS 1.3 suites stay, as in Node.
 */
final class TlsCiphers {

    /** Node's code when nothing matched ({@code SSL_R_NO_CIPHER_MATCH}). */
    static final String ERR_SSL_NO_CIPHER_MATCH = "ERR_SSL_NO_CIPHER_MATCH";

    private TlsCiphers() {
    }

    /** The JDK's enabled suites, IANA names, in its order of preference; computed once. */
    private static final class Enabled {
        static final List<String> SUITES = load();

        private static List<String> load() {
            try {
                return Arrays.stream(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites())
                        .filter(s -> !s.endsWith("_SCSV")).toList();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no default TLS context", e);
            }
        }
    }

    static boolean isTls13(String iana) {
        return !iana.contains("_WITH_");
    }

    /** Node's {@code tls.getCiphers()}: OpenSSL's names of the enabled suites, lower case, sorted. */
    static List<String> names() {
        TreeSet<String> names = new TreeSet<>();
        for (String suite : Enabled.SUITES) {
            names.add(TlsCipherNames.openSsl(suite).toLowerCase(Locale.ROOT));
        }
        return List.copyOf(names);
    }

    /**
     * The JDK suites {@code list} selects, TLS 1.3 first.
     *
     * @throws NetException {@code ERR_SSL_NO_CIPHER_MATCH} for an unknown {@code TLS_} name or a TLS 1.2 part
     *                      that matches nothing
     */
    static String[] select(String list) {
        List<String> tls13 = new ArrayList<>();
        LinkedHashSet<String> tls12 = new LinkedHashSet<>();
        Set<String> banned = new HashSet<>();
        boolean anyTls12Term = false;
        for (String element : list.split(":", -1)) {
            if (element.isEmpty()) {
                continue;
            }
            if (element.startsWith("TLS_")) {
                if (!Enabled.SUITES.contains(element) || !isTls13(element)) {
                    throw noMatch(list);
                }
                if (!tls13.contains(element)) {
                    tls13.add(element);
                }
                continue;
            }
            anyTls12Term = true;
            char op = element.charAt(0);
            String term = op == '!' || op == '-' || op == '+' ? element.substring(1) : element;
            if (term.startsWith("@")) {
                continue;                                 // @STRENGTH, @SECLEVEL=n: OpenSSL's ordering and levels
            }
            List<String> matched = matching(term);
            switch (op) {
                case '!' -> {
                    matched.forEach(tls12::remove);
                    banned.addAll(matched);
                }
                case '-' -> matched.forEach(tls12::remove);
                case '+' -> matched.stream().filter(tls12::remove).toList().forEach(tls12::add);
                default -> matched.stream().filter(s -> !banned.contains(s)).forEach(tls12::add);
            }
        }
        if (anyTls12Term && tls12.isEmpty()) {
            throw noMatch(list);
        }
        if (tls13.isEmpty()) {
            Enabled.SUITES.stream().filter(TlsCiphers::isTls13).forEach(tls13::add);
        }
        tls13.addAll(tls12);
        return tls13.toArray(new String[0]);
    }

    private static NetException noMatch(String list) {
        return new NetException(ERR_SSL_NO_CIPHER_MATCH,
                ERR_SSL_NO_CIPHER_MATCH + ": no cipher match (ciphers '" + list + "')");
    }

    /** The enabled TLS 1.2 suites matching every part of {@code term} ({@code ECDHE+AESGCM}), in the JDK's order. */
    private static List<String> matching(String term) {
        Predicate<String> all = s -> true;
        for (String part : term.split("\\+", -1)) {
            all = all.and(part(part));
        }
        return Enabled.SUITES.stream().filter(s -> !isTls13(s)).filter(all).toList();
    }

    /** One name or OpenSSL keyword, as a test on a suite's IANA name; an unknown word matches nothing. */
    private static Predicate<String> part(String word) {
        return switch (word) {
            case "ALL", "DEFAULT", "HIGH", "TLSv1.2" -> s -> true;
            case "ECDHE", "EECDH", "kECDHE", "kEECDH" -> s -> s.startsWith("TLS_ECDHE_");
            case "DHE", "EDH", "kDHE", "kEDH" -> s -> s.startsWith("TLS_DHE_");
            case "RSA", "kRSA" -> s -> s.startsWith("TLS_RSA_");
            case "aRSA" -> s -> s.contains("RSA_WITH_");
            case "ECDSA", "aECDSA" -> s -> s.contains("ECDSA_WITH_");
            case "DSS", "aDSS" -> s -> s.contains("DSS_WITH_");
            case "AES" -> s -> s.contains("_AES_");
            case "AES128" -> s -> s.contains("_AES_128_");
            case "AES256" -> s -> s.contains("_AES_256_");
            case "AESGCM" -> s -> s.contains("_AES_") && s.contains("_GCM_");
            case "CHACHA20" -> s -> s.contains("_CHACHA20_");
            case "SHA1", "SHA" -> s -> s.endsWith("_SHA");
            case "SHA256" -> s -> s.endsWith("_SHA256");
            case "SHA384" -> s -> s.endsWith("_SHA384");
            default -> s -> TlsCipherNames.openSsl(s).equals(word);
        };
    }
}
