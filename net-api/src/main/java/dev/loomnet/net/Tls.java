package dev.loomnet.net;

/**
 * Node's {@code tls} module: servers and clients whose connections are encrypted with TLS (the JDK's
 * {@code SSLEngine}, no other dependency). A {@link TlsSocket} is a {@link Socket}, so everything about sockets
 * holds for it; the options are {@link TlsOptions}, with Node's names.
 *
 * <pre>{@code
 * TlsServer server = Tls.createServer(TlsOptions.builder().key(keyPem).cert(certPem).build(),
 *         socket -> socket.end("hello, " + socket.getProtocol() + "\n"));
 * server.listen(8443);
 *
 * TlsSocket client = Tls.connect(8443, "localhost", TlsOptions.builder().ca(caPem).build());
 * client.on(Socket.DATA, chunk -> System.out.print(new String(chunk)));
 * }</pre>
 */
public final class Tls {

    private Tls() {
    }

    /**
     * Creates a TLS server ({@code tls.createServer(options)}), not listening yet.
     *
     * @param options the server's key, certificate and verification settings
     * @return a new server
     * @throws NetException Node's code when the key material cannot be used
     */
    public static TlsServer createServer(TlsOptions options) {
        return createServer(ServerOptions.builder().build(), options);
    }

    /**
     * Creates a TLS server with a {@link TlsServer#SECURE_CONNECTION} listener
     * ({@code tls.createServer(options, secureConnectionListener)}).
     *
     * @param options                  the server's key, certificate and verification settings
     * @param secureConnectionListener runs for each connection whose handshake finished
     * @return a new server
     * @throws NetException Node's code when the key material cannot be used
     */
    public static TlsServer createServer(TlsOptions options, TlsConnectionListener secureConnectionListener) {
        return createServer(ServerOptions.builder().build(), options, secureConnectionListener);
    }

    /**
     * Creates a TLS server with Node's {@code net.Server} options too.
     *
     * @param serverOptions the server's socket options ({@code allowHalfOpen}, {@code pauseOnConnect}, ...)
     * @param options       the server's key, certificate and verification settings
     * @return a new server
     * @throws NetException Node's code when the key material cannot be used
     */
    public static TlsServer createServer(ServerOptions serverOptions, TlsOptions options) {
        Args.notNull(serverOptions, "options");
        Args.notNull(options, "options");
        return Net.provider().createTlsServer(serverOptions, options);
    }

    /**
     * Creates a TLS server with Node's {@code net.Server} options and a {@link TlsServer#SECURE_CONNECTION}
     * listener.
     *
     * @param serverOptions            the server's socket options
     * @param options                  the server's key, certificate and verification settings
     * @param secureConnectionListener runs for each connection whose handshake finished
     * @return a new server
     * @throws NetException Node's code when the key material cannot be used
     */
    public static TlsServer createServer(ServerOptions serverOptions, TlsOptions options,
                                         TlsConnectionListener secureConnectionListener) {
        Args.function(secureConnectionListener, "secureConnectionListener");
        TlsServer server = createServer(serverOptions, options);
        server.on(TlsServer.SECURE_CONNECTION, secureConnectionListener);
        return server;
    }

    /**
     * Connects to a TLS server ({@code tls.connect(port, host, options)}). The host is also the SNI name and the
     * name the server's certificate must carry, unless the options say otherwise.
     *
     * @param port    0..65535
     * @param host    a host name or IP literal
     * @param options the client's verification settings (and key and certificate, if the server asks)
     * @return the socket, still connecting
     * @throws NetException Node's code for a bad argument or unusable key material
     */
    public static TlsSocket connect(int port, String host, TlsOptions options) {
        return connect(ConnectOptions.builder().port(port).host(host).build(), options);
    }

    /**
     * {@link #connect(int, String, TlsOptions)} with a {@link TlsSocket#SECURE_CONNECT} once listener
     * ({@code tls.connect(port, host, options, callback)}).
     *
     * @param port                  0..65535
     * @param host                  a host name or IP literal
     * @param options               the client's verification settings
     * @param secureConnectListener runs once the handshake finished
     * @return the socket, still connecting
     * @throws NetException Node's code for a bad argument or unusable key material
     */
    public static TlsSocket connect(int port, String host, TlsOptions options, Listener secureConnectListener) {
        return connect(ConnectOptions.builder().port(port).host(host).build(), options, secureConnectListener);
    }

    /**
     * Connects as {@code where} says (TCP or a Unix domain socket, and the socket options), over TLS
     * ({@code tls.connect(options)}).
     *
     * @param where   where and how to connect
     * @param options the client's verification settings
     * @return the socket, still connecting
     * @throws NetException Node's code for a bad argument or unusable key material
     */
    public static TlsSocket connect(ConnectOptions where, TlsOptions options) {
        Args.notNull(where, "options");
        Args.notNull(options, "options");
        TlsSocket socket = Net.provider().createTlsSocket(where.socketOptions(), options);
        socket.connect(where);
        return socket;
    }

    /**
     * {@link #connect(ConnectOptions, TlsOptions)} with a {@link TlsSocket#SECURE_CONNECT} once listener.
     *
     * @param where                 where and how to connect
     * @param options               the client's verification settings
     * @param secureConnectListener runs once the handshake finished
     * @return the socket, still connecting
     * @throws NetException Node's code for a bad argument or unusable key material
     */
    public static TlsSocket connect(ConnectOptions where, TlsOptions options, Listener secureConnectListener) {
        Args.function(secureConnectListener, "callback");
        TlsSocket socket = Net.provider().createTlsSocket(Args.notNull(where, "options").socketOptions(),
                Args.notNull(options, "options"));
        socket.once(TlsSocket.SECURE_CONNECT, secureConnectListener);
        socket.connect(where);
        return socket;
    }

    /**
     * Node's {@code tls.getCiphers()}: the cipher suites the JDK enables, by OpenSSL's names in lower case, sorted
     * (TLS 1.3 suites by their IANA names, such as {@code tls_aes_128_gcm_sha256}). Upper-cased, they are the
     * names {@link TlsOptions.Builder#ciphers} takes.
     *
     * @return the names, immutable
     */
    public static java.util.List<String> getCiphers() {
        return Net.provider().tlsCiphers();
    }

    /**
     * Node's {@code tls.rootCertificates}: the certificate authorities of the JDK's default trust store
     * ({@code cacerts}, or the store {@code javax.net.ssl.trustStore} names), which a client trusts without a
     * {@code ca} option, as PEM texts.
     *
     * @return the PEM texts, immutable
     */
    public static java.util.List<String> rootCertificates() {
        return Net.provider().tlsRootCertificates();
    }
}
