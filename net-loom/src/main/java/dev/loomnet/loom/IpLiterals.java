package dev.loomnet.loom;

import dev.loomnet.net.Net;

/** Whether a host string is an IP literal, which Node connects to without a lookup. */
final class IpLiterals {

    private IpLiterals() {
    }

    static boolean isIp(String host) {
        return Net.isIP(host) != 0;
    }
}
