package dev.loomnet.net.internal;

/**
 * IP addresses printed as Node prints them: libuv's {@code inet_ntop}, quirks included. The one formatter of
 * loomnet, for {@code SocketAddress}, {@code BlockList} and the addresses of sockets and servers. Not API: the
 * package is exported to loomnet's implementation module only.
 */
public final class IpText {

    private IpText() {
    }

    /**
     * Prints 4 or 16 bytes as Node prints a {@code SocketAddress}'s address.
     *
     * @param bytes 4 bytes (IPv4) or 16 bytes (IPv6)
     * @return the text
     */
    public static String format(byte[] bytes) {
        return bytes.length == 4 ? formatV4(bytes, 0) : formatV6(bytes);
    }

    private static String formatV4(byte[] bytes, int from) {
        return (bytes[from] & 0xff) + "." + (bytes[from + 1] & 0xff) + "." + (bytes[from + 2] & 0xff) + "."
                + (bytes[from + 3] & 0xff);
    }

    /** libuv's {@code inet_ntop6}, quirks included (e.g. {@code ::1:0} prints as {@code ::0.1.0.0}). */
    private static String formatV6(byte[] bytes) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = (bytes[2 * i] & 0xff) << 8 | (bytes[2 * i + 1] & 0xff);
        }
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (words[i] == 0) {
                if (curBase == -1) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase != -1) {
                if (bestBase == -1 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase != -1 && bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder out = new StringBuilder(46);
        for (int i = 0; i < 8; i++) {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    out.append(':');
                }
                continue;
            }
            if (i != 0) {
                out.append(':');
            }
            if (i == 6 && bestBase == 0
                    && (bestLen == 6 || (bestLen == 7 && words[7] != 1) || (bestLen == 5 && words[5] == 0xffff))) {
                out.append(formatV4(bytes, 12));
                return out.toString();
            }
            out.append(Integer.toHexString(words[i]));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) {
            out.append(':');
        }
        return out.toString();
    }
}
