package dev.loomnet.net;

import java.util.List;

/**
 * A host name resolver for the {@code lookup} connect option (Node's {@code lookup(hostname, options, cb)}).
 * It runs on the connection's own virtual thread and may block. The default resolves with
 * {@link java.net.InetAddress#getAllByName(String)}.
 */
@FunctionalInterface
public interface Lookup {

    /**
     * Resolves {@code hostname}.
     *
     * @param hostname the host to resolve
     * @param family   the wanted family: 4, 6, or 0 for either
     * @return the addresses to try, in order; only the first is used when {@code autoSelectFamily} is off
     * @throws Exception when the name cannot be resolved; it is emitted with {@link Socket#LOOKUP} and
     *                   destroys the socket ({@link NetException} with {@code ENOTFOUND} is what the default
     *                   throws)
     */
    List<Address> lookup(String hostname, int family) throws Exception;

    /**
     * One resolved address, as Node's lookup reports it: {@code {address, family}}.
     *
     * @param address an IP literal
     * @param family  4 or 6
     */
    record Address(String address, int family) {
    }
}
