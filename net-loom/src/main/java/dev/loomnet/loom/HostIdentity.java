package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * Node's {@code tls.checkServerIdentity(hostname, cert)}, rule for rule, so that the verdict and the message
 * are Node's: an IP literal must be one of the certificate's IP addresses (no common-name fallback); a host name
 * must match a DNS name (a wildcard only as the whole left-most label, never in a public-suffix-like two-label
 * name), and only when the certificate has no DNS name at all is its subject's common name tried. The JDK's
 * {@code HTTPS} endpoint identification agrees on the outcome for ordinary certificates but words its
 * failures differently and cannot be swapped for a user's function, so loomnet runs this instead.
 */
final class HostIdentity {

    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private HostIdentity() {
    }

    /**
     * Checks {@code hostname} against the leaf certificate.
     *
     * @return null when it matches, else Node's {@code ERR_TLS_CERT_ALTNAME_INVALID}
     */
    static @Nullable NetException check(String hostname, X509Certificate leaf) {
        List<String> dnsNames = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        List<String> altNames = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    String value = String.valueOf(san.get(1));
                    if (type == SAN_DNS) {
                        dnsNames.add(value);
                        altNames.add("DNS:" + value);
                    } else if (type == SAN_IP) {
                        String ip = canonicalIp(value);
                        ips.add(ip);
                        altNames.add("IP Address:" + openSslIp(value));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return failure("Cert does not contain a DNS name", hostname);
        }
        String host = hostname.endsWith(".") ? hostname.substring(0, hostname.length() - 1) : hostname;
        if (dev.loomnet.net.Net.isIP(host) != 0) {
            if (ips.contains(canonicalIp(host))) {
                return null;
            }
            return failure("IP: " + host + " is not in the cert's list: " + String.join(", ", ips), hostname);
        }
        String cn = commonName(leaf);
        if (!dnsNames.isEmpty()) {
            for (String pattern : dnsNames) {
                if (matches(host, pattern)) {
                    return null;
                }
            }
            return failure("Host: " + host + ". is not in the cert's altnames: " + String.join(", ", altNames), hostname);
        }
        if (cn != null) {
            return matches(host, cn) ? null : failure("Host: " + host + ". is not cert's CN: " + cn, hostname);
        }
        return failure("Cert does not contain a DNS name", hostname);
    }

    private static NetException failure(String reason, String hostname) {
        return new NetException(TlsErrors.ERR_TLS_CERT_ALTNAME_INVALID,
                "Hostname/IP does not match certificate's altnames: " + reason, null, hostname, 0, null);
    }

    /** Node's {@code check(hostParts, pattern, wildcards)}. */
    static boolean matches(String host, String pattern) {
        String[] hostParts = host.toLowerCase(Locale.ROOT).split("\\.", -1);
        String p = pattern.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        String[] patternParts = p.split("\\.", -1);
        if (hostParts.length != patternParts.length || p.isEmpty()) {
            return false;
        }
        for (String part : patternParts) {
            if (part.isEmpty()) {
                return false;                             // an empty label (as in "a..b")
            }
        }
        // every label but the left-most must match exactly
        for (int i = hostParts.length - 1; i > 0; i--) {
            if (!hostParts[i].equals(patternParts[i])) {
                return false;
            }
        }
        String hostLeft = hostParts[0];
        String patternLeft = patternParts[0];
        int star = patternLeft.indexOf('*');
        if (star < 0 || patternLeft.startsWith("xn--") || patternParts.length <= 2) {
            return hostLeft.equals(patternLeft);          // no wildcard, an IDNA label, or a two-label pattern
        }
        if (patternLeft.indexOf('*', star + 1) >= 0) {
            return false;                                 // more than one wildcard
        }
        String prefix = patternLeft.substring(0, star);
        String suffix = patternLeft.substring(star + 1);
        if (prefix.length() + suffix.length() > hostLeft.length()) {
            return false;
        }
        if (!hostLeft.startsWith(prefix) || !hostLeft.endsWith(suffix)) {
            return false;
        }
        return !hostLeft.isEmpty();
    }

    /** The subject's most specific common name, read from its RFC 2253 form: attributes split at unescaped commas. */
    static @Nullable String commonName(X509Certificate cert) {
        String dn = cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
        String found = null;
        StringBuilder current = new StringBuilder();
        for (int i = 0; i <= dn.length(); i++) {
            char c = i < dn.length() ? dn.charAt(i) : ',';
            if (c == '\\' && i + 1 < dn.length()) {
                current.append(dn.charAt(++i));
            } else if (c == ',' || c == '+') {
                String attribute = current.toString();
                if (found == null && attribute.regionMatches(true, 0, "CN=", 0, 3)) {
                    found = attribute.substring(3);
                }
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        return found;
    }

    /** Node compares IPs in a canonical form, so {@code ::1} matches {@code 0:0:0:0:0:0:0:1}. */
    private static String canonicalIp(String ip) {
        try {
            return Addresses.text(InetAddress.getByName(ip), false);
        } catch (UnknownHostException e) {
            return ip;
        }
    }

    /** OpenSSL prints an IPv6 SAN in full, without zero compression ({@code 0:0:0:0:0:0:0:1}). */
    private static String openSslIp(String ip) {
        try {
            InetAddress a = InetAddress.getByName(ip);
            if (a instanceof java.net.Inet6Address) {
                byte[] b = a.getAddress();
                StringBuilder s = new StringBuilder();
                for (int i = 0; i < 16; i += 2) {
                    if (i > 0) {
                        s.append(':');
                    }
                    s.append(Integer.toHexString(((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF)).toUpperCase(Locale.ROOT));
                }
                return s.toString();
            }
            return a.getHostAddress();
        } catch (UnknownHostException e) {
            return ip;
        }
    }
}
