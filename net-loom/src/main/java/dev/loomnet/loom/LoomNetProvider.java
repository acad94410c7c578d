package dev.loomnet.loom;

import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.net.TlsSocket;
import dev.loomnet.net.spi.NetProvider;

/**
 * The virtual-thread implementation of {@link NetProvider}, found by {@link java.util.ServiceLoader}.
 * Applications use {@link dev.loomnet.net.Net} instead of this class.
 */
public final class LoomNetProvider implements NetProvider {

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public LoomNetProvider() {
    }

    /**
     * Creates a {@link Server} backed by an accept loop on a virtual thread.
     *
     * @param options the server options
     * @return a new server, not listening
     */
    @Override
    public Server createServer(ServerOptions options) {
        return new LoomServer(options);
    }

    /**
     * Creates a {@link Socket} whose connection will run on its own virtual thread.
     *
     * @param options the socket options
     * @return a new pending socket
     */
    @Override
    public Socket createSocket(SocketOptions options) {
        LoomSocket socket = new LoomSocket(options, null);
        Aborts.watch(socket, options.signal());
        return socket;
    }

    /**
     * Creates a TLS server; its accepted sockets handshake on their own virtual threads.
     *
     * @param options the server options
     * @param tls the TLS options
     * @return a new server, not yet listening
     */
    @Override
    public TlsServer createTlsServer(ServerOptions options, TlsOptions tls) {
        return new LoomTlsServer(options, tls);
    }

    /**
     * Starts TLS on a plain socket's connection, which the returned socket takes over ({@link TakeOver}).
     *
     * @param socket a connected or connecting plain socket of this provider
     * @param tls    the TLS options
     * @param server whether this side runs the server's half of the handshake
     * @return the TLS socket, handshaking
     */
    @Override
    public TlsSocket upgrade(Socket socket, TlsOptions tls, boolean server) {
        return TakeOver.start(socket, tls, server);
    }

    /**
     * Creates a TLS client socket; it handshakes once it has connected.
     *
     * @param options the socket options
     * @param tls the TLS options
     * @return a new pending socket
     */
    @Override
    public TlsSocket createTlsSocket(SocketOptions options, TlsOptions tls) {
        LoomTlsSocket socket = new LoomTlsSocket(options, null, TlsSetup.context(tls, false));
        Aborts.watch(socket, options.signal());
        return socket;
    }

    /**
     * Wraps a connected channel; its read loop starts on a new virtual thread.
     *
     * @param channel the connected channel
     * @param options the socket options
     * @return the connected socket
     */
    @Override
    public Socket adopt(java.nio.channels.SocketChannel channel, SocketOptions options) {
        LoomSocket socket = new LoomSocket(options, null);
        Connect.adopt(socket, channel);
        Aborts.watch(socket, options.signal());
        return socket;
    }

    /**
     * Reports the sockets, listening servers and loomnet threads alive in this JVM.
     *
     * @return the current counts
     */
    @Override
    public Handles handles() {
        return new Handles(Stats.SOCKETS.get(), Stats.SERVERS.get(), Threads.live());
    }

    /**
     * OpenSSL's names of the suites the JDK enables ({@code tls.getCiphers()}).
     *
     * @return the names, lower case, sorted
     */
    @Override
    public java.util.List<String> tlsCiphers() {
        return TlsCiphers.names();
    }

    /**
     * The JDK's default trust store as PEM texts ({@code tls.rootCertificates}).
     *
     * @return the PEM texts
     */
    @Override
    public java.util.List<String> tlsRootCertificates() {
        return TlsRoots.pems();
    }
}
