package dev.loomnet.testing;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TLS interop tests' Node peer: the script {@code interop/tls-peer.js} run by the machine's {@code node},
 * its options as JSON, and the fields of the {@code secure} line it prints after a handshake. Shared by
 * net-loom's layer tests and net-tests' public-API tests.
 */
public final class NodeTlsPeer {

    private NodeTlsPeer() {
    }

    /**
     * Starts the script as {@code role} ({@code server} or {@code client}) with Node's TLS options.
     *
     * @param role    {@code server} (on {@code port}, 0 for an ephemeral one) or {@code client} (to {@code port})
     * @param port    the port
     * @param options Node's options for {@code tls.createServer} or {@code tls.connect}
     * @return the running peer
     * @throws IOException if {@code node} is missing or does not start
     */
    public static PeerProcess start(String role, int port, Map<String, Object> options) throws IOException {
        String node = PeerProcess.find("node").orElseThrow(() -> new IOException("node is not on the PATH"))
                .toString();
        return PeerProcess.start(List.of(node, PeerProcess.resource("interop/tls-peer.js").toString(), role,
                String.valueOf(port), PeerProcess.json(options)));
    }

    /**
     * Node's server options serving {@code id}'s key and certificate.
     *
     * @param id the identity
     * @return a mutable map, for more options
     */
    public static Map<String, Object> serving(TestPki.Identity id) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("key", id.keyPem().toString());
        o.put("cert", id.certPem().toString());
        return o;
    }

    /**
     * Node's client options trusting {@code ca}, with SNI {@code localhost}.
     *
     * @param ca the certificate authority
     * @return a mutable map, for more options
     */
    public static Map<String, Object> trusting(TestPki.Identity ca) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ca", ca.certPem().toString());
        o.put("servername", "localhost");
        return o;
    }

    /**
     * A field of the {@code secure} line's JSON, as text.
     *
     * @param secureJson the line
     * @param name       the field
     * @return its value
     * @throws AssertionError if the line has no such field
     */
    public static String field(String secureJson, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\"([^\"]*)\"|[a-z0-9]+)").matcher(secureJson);
        if (!m.find()) {
            throw new AssertionError(name + " in " + secureJson);
        }
        return m.group(2) != null ? m.group(2) : m.group(1);
    }
}
