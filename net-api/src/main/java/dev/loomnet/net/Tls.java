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
     * Starts TLS as the client on a plain socket's connection ({@code tls.connect({socket})}), for protocols that
     * switch to TLS in the middle (STARTTLS): the returned socket takes the connection over from {@code socket},
     * which stops reading and writing. Bytes {@code socket} wrote before this call go out first, in plaintext;
     * bytes it received and did not emit yet go to the handshake. The name checked against the server's
     * certificate (and sent as SNI) is the options' {@code servername}, else the host {@code socket} connected
     * to, else {@code localhost}, as in Node. {@code socket} may still be connecting: the handshake starts once
     * it connected.
     *
     * <p>From then on {@code socket} is the connection's plain side: its writes fail with
     * {@code ERR_STREAM_DESTROYED}, its {@code destroy()} destroys the TLS socket, its timeout keeps counting
     * the TLS socket's activity, and it closes (without an error) right after the TLS socket closed.
     *
     * @param socket  a connected or connecting socket made by {@link Net}, not ended
     * @param options the client's verification settings
     * @return the TLS socket, handshaking
     * @throws NetException {@code ERR_INVALID_ARG_TYPE} for a TLS socket or a socket of another provider,
     *                      {@code ERR_SOCKET_CLOSED} for a destroyed, ended or never connected socket, or Node's
     *                      code for unusable key material
     */
    public static TlsSocket connect(Socket socket, TlsOptions options) {
        Args.notNull(socket, "options.socket");
        Args.notNull(options, "options");
        return Net.provider().upgrade(socket, options, false);
    }

    /**
     * {@link #connect(Socket, TlsOptions)} with a {@link TlsSocket#SECURE_CONNECT} once listener.
     *
     * @param socket                a connected or connecting socket made by {@link Net}
     * @param options               the client's verification settings
     * @param secureConnectListener runs once the handshake finished
     * @return the TLS socket, handshaking
     * @throws NetException as {@link #connect(Socket, TlsOptions)}
     */
    public static TlsSocket connect(Socket socket, TlsOptions options, Listener secureConnectListener) {
        Args.function(secureConnectListener, "callback");
        TlsSocket tls = connect(socket, options);
        tls.once(TlsSocket.SECURE_CONNECT, secureConnectListener);
        return tls;
    }

    /**
     * Starts TLS as the server on a plain socket's connection ({@code new tls.TLSSocket(socket, {isServer:
     * true})}), typically a connection of a {@link Net#createServer() net server} that asked for STARTTLS. The
     * options are a server's (key and certificate, {@code requestCert}, {@code SNICallback}, ...). The returned
     * socket emits {@link TlsSocket#SECURE} when the handshake finished and {@link Socket#ERROR} when it
     * failed; {@code socket} is taken over as described for {@link #connect(Socket, TlsOptions)}, and a server's
     * connection count goes on counting it until both closed.
     *
     * @param socket  a connected socket made by {@link Net}, not ended
     * @param options the server side's key, certificate and verification settings
     * @return the TLS socket, waiting for the client's hello
     * @throws NetException as {@link #connect(Socket, TlsOptions)}
     */
    public static TlsSocket accept(Socket socket, TlsOptions options) {
        Args.notNull(socket, "socket");
        Args.notNull(options, "options");
        return Net.provider().upgrade(socket, options, true);
    }

    /**
     * {@link #accept(Socket, TlsOptions)} with a {@link TlsSocket#SECURE} once listener.
     *
     * @param socket         a connected socket made by {@link Net}
     * @param options        the server side's key, certificate and verification settings
     * @param secureListener runs once the handshake finished
     * @return the TLS socket, waiting for the client's hello
     * @throws NetException as {@link #connect(Socket, TlsOptions)}
     */
    public static TlsSocket accept(Socket socket, TlsOptions options, Listener secureListener) {
        Args.function(secureListener, "callback");
        TlsSocket tls = accept(socket, options);
        tls.once(TlsSocket.SECURE, secureListener);
        return tls;
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
