package dev.loomnet.loom;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.NetException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import org.jspecify.annotations.Nullable;

/**
 * A client's local bind before it connects (the {@code localAddress} and {@code localPort} connect options),
 * and Node's {@code bind} error when it fails: {@code bind EADDRINUSE 127.0.0.1:5000} for a port in use,
 * {@code bind EINVAL ::1} for an address of the other family than the target's (the JDK throws an unchecked
 * {@link UnsupportedAddressTypeException} there, which must not reach the socket as a bare exception).
 */
final class LocalBind {

    private LocalBind() {
    }

    /**
     * Binds {@code ch} as the options say, if they say anything.
     *
     * @param v6 whether {@code ch} is an IPv6 socket (names the unspecified address in the error)
     * @return Node's error if the bind failed, else null
     */
    static @Nullable NetException bind(SocketChannel ch, ConnectOptions options, boolean v6) {
        String address = options.localAddress();
        int port = options.localPort();
        if (address == null && port == 0) {
            return null;
        }
        try {
            ch.bind(address == null ? new InetSocketAddress(port)
                    : new InetSocketAddress(InetAddress.getByName(address), port));   // a literal: no lookup
            return null;
        } catch (IOException | UnsupportedAddressTypeException e) {
            return Errors.bind(e, address != null ? address : v6 ? "::" : "0.0.0.0", port);
        }
    }
}
