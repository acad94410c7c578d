package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.util.ArrayList;
import java.util.List;

/** Node's protocol version names ({@code minVersion}/{@code maxVersion}) and the JDK's enabled-protocol lists. */
final class TlsVersions {

    /** Node's names in order; the JDK names them the same way. */
    private static final List<String> ORDER = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private TlsVersions() {
    }

    /**
     * {@code version} if Node knows it.
     *
     * @param which "minimum" or "maximum", for Node's message
     * @throws NetException {@code ERR_TLS_INVALID_PROTOCOL_VERSION} otherwise
     */
    static String check(String version, String which) {
        if (!ORDER.contains(version)) {
            throw new NetException(TlsErrors.ERR_TLS_INVALID_PROTOCOL_VERSION,
                    "\"" + version + "\" is not a valid " + which + " TLS protocol version");
        }
        return version;
    }

    /**
     * The versions from {@code min} to {@code max} that {@code supported} (the engine's list) has; empty when
     * {@code min} is above {@code max}, which the handshake then reports as {@code ERR_SSL_NO_PROTOCOLS_AVAILABLE},
     * as Node does at connect time.
     */
    static String[] between(String min, String max, String[] supported) {
        List<String> on = new ArrayList<>();
        List<String> available = List.of(supported);
        for (int i = ORDER.indexOf(min); i >= 0 && i <= ORDER.indexOf(max); i++) {
            if (available.contains(ORDER.get(i))) {
                on.add(ORDER.get(i));
            }
        }
        return on.toArray(new String[0]);
    }
}
