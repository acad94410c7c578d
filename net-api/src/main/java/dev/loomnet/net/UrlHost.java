package dev.loomnet.net;

import java.io.ByteArrayOutputStream;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The host and port of {@code http://<input>} as the WHATWG URL parser finds them, for
 * {@link SocketAddress#parse(String)} (Node parses with {@code URL.parse('http://' + input)}). Only what that
 * needs: the URL's leading and trailing clean-up, the authority (userinfo up to the last {@code @}), the host
 * ({@code [IPv6]}, or a domain that ends in a number and so is parsed as IPv4: {@code 256}, {@code 0xffffffff},
 * {@code 192.168.257}, {@code 0x.0x.0}) and the port (ASCII digits, at most 65535). Path, query and fragment never
 * fail in a URL and are ignored. Host names that are not IP addresses give {@code null}, because Node's
 * {@code SocketAddress} then rejects them.
 */
final class UrlHost {

    /** The parsed host: 4 or 16 address bytes and the port (0 when the URL has none). */
    // ArrayRecordComponent: a result handed straight to its caller, never compared, hashed or kept
    @SuppressWarnings("ArrayRecordComponent")
    record Result(byte[] address, int port) {
    }

    private UrlHost() {
    }

    /**
     * Parses {@code http://<input>} and returns its IP host and port.
     *
     * @param input the text after {@code http://}
     * @return the address and port, or {@code null} if the URL does not parse or its host is not an IP address
     */
    static @Nullable Result parse(String input) {
        String in = clean(input);
        int start = 0;
        while (start < in.length() && (in.charAt(start) == '/' || in.charAt(start) == '\\')) {
            start++; // "special authority ignore slashes state"
        }
        int end = start;
        while (end < in.length() && "/?#\\".indexOf(in.charAt(end)) < 0) {
            end++;
        }
        int at = in.lastIndexOf('@', end - 1);
        int hostStart = at >= start ? at + 1 : start;
        // Host state: the first ':' outside brackets ends the host.
        int colon = -1;
        boolean inBrackets = false;
        for (int i = hostStart; i < end; i++) {
            char c = in.charAt(i);
            if (c == ':' && !inBrackets) {
                colon = i;
                break;
            }
            if (c == '[') {
                inBrackets = true;
            } else if (c == ']') {
                inBrackets = false;
            }
        }
        String host = in.substring(hostStart, colon < 0 ? end : colon);
        if (host.isEmpty()) {
            return null; // host-missing, also after "user@"
        }
        int port = 0;
        if (colon >= 0) {
            port = port(in.substring(colon + 1, end));
            if (port < 0) {
                return null;
            }
        }
        byte[] address = host(host);
        return address == null ? null : new Result(address, port);
    }

    /** Removes trailing C0 controls and spaces, and every tab, LF and CR, as the URL parser does first. */
    private static String clean(String input) {
        int end = input.length();
        while (end > 0 && input.charAt(end - 1) <= ' ') {
            end--;
        }
        StringBuilder out = new StringBuilder(end);
        for (int i = 0; i < end; i++) {
            char c = input.charAt(i);
            if (c != '\t' && c != '\n' && c != '\r') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The port state: ASCII digits only, at most 65535; empty means none. Returns -1 on failure. */
    private static int port(String digits) {
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = Math.min(value * 10 + (c - '0'), 1 << 20);
        }
        return value > 65535 ? -1 : (int) value;
    }

    /** The host parser for a special URL, keeping only IP results. */
    private static byte @Nullable [] host(String host) {
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.indexOf('%') >= 0) {
                return null; // URLs have no zone ids
            }
            return IpBytes.parseV6(host.substring(1, host.length() - 1));
        }
        String domain = percentDecode(host);
        String ascii = domain;
        if (!domain.chars().allMatch(c -> c < 0x80)) {
            try {
                ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED); // maps e.g. full-width digits and dots
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        ascii = ascii.toLowerCase(Locale.ROOT);
        if (ascii.isEmpty() || !endsInANumber(ascii)) {
            return null; // a domain name: not an IP address
        }
        return ipv4(ascii);
    }

    private static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                out.write(hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit(b, 16);
    }

    /** The URL standard's "ends in a number" checker. */
    private static boolean endsInANumber(String host) {
        String[] parts = host.split("\\.", -1);
        int n = parts.length;
        if (parts[n - 1].isEmpty()) {
            if (n == 1) {
                return false;
            }
            n--;
        }
        String last = parts[n - 1];
        if (!last.isEmpty() && last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return true;
        }
        return number(last) >= 0;
    }

    /** The URL standard's IPv4 parser (decimal, octal {@code 0}-prefixed and hex {@code 0x} parts, 1 to 4 parts). */
    private static byte @Nullable [] ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        int n = parts.length;
        if (parts[n - 1].isEmpty() && n > 1) {
            n--;
        }
        if (n > 4) {
            return null;
        }
        long[] numbers = new long[n];
        for (int i = 0; i < n; i++) {
            numbers[i] = number(parts[i]);
            if (numbers[i] < 0) {
                return null;
            }
        }
        for (int i = 0; i < n - 1; i++) {
            if (numbers[i] > 255) {
                return null;
            }
        }
        if (numbers[n - 1] >= 1L << (8 * (5 - n))) {
            return null;
        }
        long value = numbers[n - 1];
        for (int i = 0; i < n - 1; i++) {
            value += numbers[i] << (8 * (3 - i));
        }
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    /** The URL standard's IPv4 number parser; -1 for failure, values capped at 2^40. */
    private static long number(String part) {
        if (part.isEmpty()) {
            return -1;
        }
        int radix = 10;
        String digits = part;
        if (part.length() >= 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
            radix = 16;
            digits = part.substring(2);
        } else if (part.length() >= 2 && part.charAt(0) == '0') {
            radix = 8;
            digits = part.substring(1);
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), radix);
            if (d < 0 || digits.charAt(i) > 'z') {
                return -1;
            }
            value = Math.min(value * radix + d, 1L << 40);
        }
        return value;
    }
}
