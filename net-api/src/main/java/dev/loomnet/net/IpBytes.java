package dev.loomnet.net;

import dev.loomnet.net.internal.IpText;

import org.jspecify.annotations.Nullable;

/**
 * IP literal text to bytes and back, as Node's {@code SocketAddress} does it: the text must pass Node's
 * {@link IpGrammar} ({@code net.isIPv4}/{@code net.isIPv6}), and bytes are printed the way libuv's
 * {@code uv_inet_ntop} prints them (lower-case hex, the longest run of two or more zero groups as {@code ::}, and
 * dotted IPv4 in the last 32 bits of IPv4-mapped {@code ::ffff:a.b.c.d} and IPv4-compatible {@code ::a.b.c.d}
 * addresses). A zone id ({@code %eth0}) is accepted and dropped, as Node's {@code address} getter drops it.
 */
final class IpBytes {

    private IpBytes() {
    }

    /**
     * Parses a dotted-quad IPv4 address in Node's grammar.
     *
     * @param text the text
     * @return 4 bytes in network order, or {@code null} if {@code text} is not an IPv4 address
     */
    static byte @Nullable [] parseV4(String text) {
        if (!IpGrammar.isV4(text)) {
            return null;
        }
        return v4(text);
    }

    /**
     * Parses an IPv6 address in Node's grammar, zone id allowed and ignored.
     *
     * @param text the text
     * @return 16 bytes in network order, or {@code null} if {@code text} is not an IPv6 address
     */
    static byte @Nullable [] parseV6(String text) {
        if (!IpGrammar.isV6(text)) {
            return null;
        }
        int zone = text.indexOf('%');
        return v6(zone < 0 ? text : text.substring(0, zone));
    }

    /** Parses text already known to match the IPv4 grammar. */
    private static byte[] v4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.') {
                out[part++] = (byte) value;
                value = 0;
            } else {
                value = value * 10 + (c - '0');
            }
        }
        out[part] = (byte) value;
        return out;
    }

    /** Parses text without zone id already known to match the IPv6 grammar. */
    private static byte[] v6(String text) {
        int[] groups = new int[8];
        String head = text;
        String tail = "";
        int gap = text.indexOf("::");
        if (gap >= 0) {
            head = text.substring(0, gap);
            tail = text.substring(gap + 2);
        }
        int[] headGroups = groups(head);
        int[] tailGroups = groups(tail);
        System.arraycopy(headGroups, 0, groups, 0, headGroups.length);
        System.arraycopy(tailGroups, 0, groups, 8 - tailGroups.length, tailGroups.length);
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (groups[i] >>> 8);
            out[2 * i + 1] = (byte) groups[i];
        }
        return out;
    }

    /** Splits colon-separated hex groups, a trailing dotted IPv4 counting as two groups. */
    private static int[] groups(String part) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] texts = part.split(":", -1);
        String last = texts[texts.length - 1];
        boolean dotted = last.indexOf('.') >= 0;
        int[] out = new int[texts.length + (dotted ? 1 : 0)];
        int n = dotted ? texts.length - 1 : texts.length;
        for (int i = 0; i < n; i++) {
            out[i] = Integer.parseInt(texts[i], 16);
        }
        if (dotted) {
            byte[] v4 = v4(last);
            out[n] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
            out[n + 1] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
        }
        return out;
    }

    /**
     * Prints 4 or 16 bytes as Node prints a {@code SocketAddress}'s address ({@link IpText#format}).
     *
     * @param bytes 4 bytes (IPv4) or 16 bytes (IPv6)
     * @return the text
     */
    static String format(byte[] bytes) {
        return IpText.format(bytes);
    }
}
