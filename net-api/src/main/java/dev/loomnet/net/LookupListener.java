package dev.loomnet.net;

import org.jspecify.annotations.Nullable;

/**
 * A listener of {@link Socket#LOOKUP}: a host name was resolved (or failed to resolve) before connecting.
 */
@FunctionalInterface
public interface LookupListener {

    /**
     * Handles the lookup result.
     *
     * @param error   {@code null} on success, else the failure ({@code ENOTFOUND})
     * @param address the resolved IP address as Node prints it, {@code null} on failure
     * @param family  4 or 6, 0 on failure
     * @param host    the host name that was looked up
     * @throws Exception anything; the socket is then destroyed with it
     */
    void onLookup(@Nullable Throwable error, @Nullable String address, int family, String host) throws Exception;

    /**
     * One {@code lookup} emission as a value, for {@link EventEmitter#when(Event.Valued)}.
     *
     * @param error   {@code null} on success, else the failure ({@code ENOTFOUND})
     * @param address the resolved IP address as Node prints it, {@code null} on failure
     * @param family  4 or 6, 0 on failure
     * @param host    the host name that was looked up
     */
    record Result(@Nullable Throwable error, @Nullable String address, int family, String host) {
    }
}
