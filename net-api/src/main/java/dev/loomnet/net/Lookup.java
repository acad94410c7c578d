package dev.loomnet.net;

import java.util.List;

/**
 * A host name resolver for the {@code lookup} connect option (Node's {@code lookup(hostname, options, cb)}).
 * It runs on the connection's own virtual thread and may block. The default resolves with
 * {@link java.net.InetAddress#getAllByName(String)}.
 */
@FunctionalInterface
public interface Lookup {

    /** {@code dns.ADDRCONFIG}: only the families the machine has a non-loopback address of. */
    int ADDRCONFIG = 32;
    /** {@code dns.V4MAPPED}: for family 6 with no IPv6 answer, the IPv4 answers as {@code ::ffff:} addresses. */
    int V4MAPPED = 8;
    /** {@code dns.ALL}: with {@link #V4MAPPED}, the IPv6 answers and the mapped IPv4 ones. */
    int ALL = 16;

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
     * Resolves {@code hostname} with the connect options' {@code hints} (Node passes them to a custom lookup);
     * by default, ignores them and calls {@link #lookup(String, int)}.
     *
     * @param hostname the host to resolve
     * @param family   the wanted family: 4, 6, or 0 for either
     * @param hints    {@link #ADDRCONFIG}, {@link #V4MAPPED} and {@link #ALL}, or'ed
     * @return the addresses to try, in order
     * @throws Exception as {@link #lookup(String, int)}
     */
    default List<Address> lookup(String hostname, int family, int hints) throws Exception {
        return lookup(hostname, family);
    }

    /**
     * One resolved address, as Node's lookup reports it: {@code {address, family}}.
     *
     * @param address an IP literal
     * @param family  4 or 6
     */
    record Address(String address, int family) {
    }
}
