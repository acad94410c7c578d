package dev.loomnet.net.spi;

import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;

/**
 * What an implementation of loomnet supplies. {@link dev.loomnet.net.Net} finds exactly one provider with
 * {@link java.util.ServiceLoader} (module {@code provides}, or {@code META-INF/services} on the class path)
 * and delegates every factory method to it.
 *
 * <p>Implementations must be thread-safe: the methods are called from any thread.
 */
public interface NetProvider {

    /**
     * Creates a server that is not listening yet ({@code new net.Server(options)}).
     *
     * @param options the validated server options
     * @return a new, not yet listening server
     */
    Server createServer(ServerOptions options);

    /**
     * Creates an unconnected socket ({@code new net.Socket(options)}).
     *
     * @param options the validated socket options
     * @return a new socket in the state Node calls pending
     */
    Socket createSocket(SocketOptions options);

    /**
     * Wraps a connected channel in a socket ({@code new net.Socket({fd})}): it is connected at once, emits no
     * {@code connect}, and reads once data is wanted.
     *
     * @param channel an open, connected channel in blocking mode (TCP or Unix domain)
     * @param options the socket options
     * @return the socket, connected
     */
    Socket adopt(java.nio.channels.SocketChannel channel, SocketOptions options);

    /**
     * Creates a TLS server that is not listening yet ({@code tls.createServer(options)}).
     *
     * @param serverOptions the validated server options
     * @param tlsOptions    the validated TLS options
     * @return a new, not yet listening server
     * @throws dev.loomnet.net.NetException Node's code when the key material cannot be used
     */
    dev.loomnet.net.TlsServer createTlsServer(ServerOptions serverOptions, dev.loomnet.net.TlsOptions tlsOptions);

    /**
     * Creates an unconnected TLS socket (a client, for {@code tls.connect}).
     *
     * @param options    the validated socket options
     * @param tlsOptions the validated TLS options
     * @return a new socket in the state Node calls pending
     * @throws dev.loomnet.net.NetException Node's code when the key material cannot be used
     */
    dev.loomnet.net.TlsSocket createTlsSocket(SocketOptions options, dev.loomnet.net.TlsOptions tlsOptions);

    /**
     * Starts TLS on a plain socket's connection ({@code tls.connect({socket})}, {@code new tls.TLSSocket(socket,
     * {isServer})}): the returned socket takes the connection over, the plain one stops reading and writing.
     *
     * @param socket     a connected or connecting plain socket of this provider
     * @param tlsOptions the validated TLS options
     * @param server     whether this side runs the server's half of the handshake
     * @return the TLS socket, handshaking
     * @throws dev.loomnet.net.NetException Node's code when the socket cannot be taken over or the key material
     *                                      cannot be used
     */
    dev.loomnet.net.TlsSocket upgrade(dev.loomnet.net.Socket socket, dev.loomnet.net.TlsOptions tlsOptions,
                                      boolean server);

    /**
     * Reports what the implementation holds open, for monitoring and for leak checks in tests.
     *
     * @return the current counts; the default implementation reports zeros
     */
    default Handles handles() {
        return new Handles(0, 0, 0);
    }

    /**
     * Counts of open handles.
     *
     * @param sockets sockets from {@code connect()} or accept until their {@code close} event
     * @param servers servers from a successful {@code listen} until {@code close()}
     * @param threads threads of the implementation that are alive (connection, writer, event, accept, timer and
     *                keep-alive threads)
     */
    record Handles(int sockets, int servers, int threads) {
    }

    /**
     * The names {@code dev.loomnet.net.Tls#getCiphers()} returns.
     *
     * @return OpenSSL's names of the suites the implementation enables, lower case, sorted, immutable
     */
    java.util.List<String> tlsCiphers();

    /**
     * The PEM texts {@code dev.loomnet.net.Tls#rootCertificates()} returns.
     *
     * @return the default trust store's certificate authorities, immutable
     */
    java.util.List<String> tlsRootCertificates();
}
