package dev.loomnet.net;

import java.util.regex.Pattern;

/**
 * Node's IP literal grammar ({@code lib/internal/net.js}): strict dotted-quad IPv4 without leading zeros,
 * and IPv6 with one optional {@code ::}, an optional embedded IPv4 tail and an optional zone id. Deliberately
 * not {@link java.net.InetAddress}, which accepts {@code 127.1}, may do DNS, and treats zone ids differently.
 */
final class IpGrammar {

    private static final String V4_SEG = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
    private static final String V4_STR = "(?:" + V4_SEG + "\\.){3}" + V4_SEG;
    private static final String V6_SEG = "(?:[0-9a-fA-F]{1,4})";
    private static final Pattern IPV4 = Pattern.compile("^" + V4_STR + "$");
    private static final Pattern IPV6 = Pattern.compile("^(?:"
            + "(?:" + V6_SEG + ":){7}(?:" + V6_SEG + "|:)|"
            + "(?:" + V6_SEG + ":){6}(?:" + V4_STR + "|:" + V6_SEG + "|:)|"
            + "(?:" + V6_SEG + ":){5}(?::" + V4_STR + "|(?::" + V6_SEG + "){1,2}|:)|"
            + "(?:" + V6_SEG + ":){4}(?:(?::" + V6_SEG + "){0,1}:" + V4_STR + "|(?::" + V6_SEG + "){1,3}|:)|"
            + "(?:" + V6_SEG + ":){3}(?:(?::" + V6_SEG + "){0,2}:" + V4_STR + "|(?::" + V6_SEG + "){1,4}|:)|"
            + "(?:" + V6_SEG + ":){2}(?:(?::" + V6_SEG + "){0,3}:" + V4_STR + "|(?::" + V6_SEG + "){1,5}|:)|"
            + "(?:" + V6_SEG + ":){1}(?:(?::" + V6_SEG + "){0,4}:" + V4_STR + "|(?::" + V6_SEG + "){1,6}|:)|"
            + "(?::(?:(?::" + V6_SEG + "){0,5}:" + V4_STR + "|(?::" + V6_SEG + "){1,7}|:))"
            + ")(?:%[0-9a-zA-Z\\-.:]{1,})?$");

    private IpGrammar() {
    }

    static boolean isV4(String s) {
        return IPV4.matcher(s).matches();
    }

    static boolean isV6(String s) {
        return IPV6.matcher(s).matches();
    }
}
