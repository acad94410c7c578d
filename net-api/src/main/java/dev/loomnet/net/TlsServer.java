package dev.loomnet.net;

/**
 * Node's {@code tls.Server}: a {@link Server} whose connections are {@link TlsSocket}s. {@link #CONNECTION} still
 * fires for each accepted connection before its handshake, as Node's does for the raw socket; a connection whose
 * handshake finished is {@link #SECURE_CONNECTION}, one whose handshake failed {@link #TLS_CLIENT_ERROR} (and
 * is destroyed), and the server carries on either way.
 *
 * <p>Certificates can be replaced while the server runs ({@link #setSecureContext}, {@link #addContext}): new
 * handshakes use the new ones, connections already made are not touched.
 */
public interface TlsServer extends Server {

    /** Emitted for each connection whose handshake finished ({@code 'secureConnection'}), on its own thread. */
    Event.Valued<Server, TlsConnectionListener, TlsSocket> SECURE_CONNECTION = Event.of("secureConnection");

    /** Emitted for each connection whose handshake failed, before it is destroyed ({@code 'tlsClientError'}). */
    Event.Valued<Server, TlsClientErrorListener, TlsClientErrorListener.Failure> TLS_CLIENT_ERROR =
            Event.of("tlsClientError");

    /**
     * Node's {@code server.setSecureContext(options)}: the keys, certificates and verification settings for
     * new handshakes from now on, with the {@code crl}, {@code ciphers}, {@code honorCipherOrder},
     * {@code ecdhCurve}, {@code sigalgs} and (when given) {@code sessionTimeout} of {@code options}; a bad value
     * changes nothing.
     *
     * @param options the new options
     * @return this server
     * @throws NetException Node's code when the key material cannot be used
     */
    TlsServer setSecureContext(TlsOptions options);

    /**
     * Node's {@code server.addContext(hostname, context)}: the keys and certificates for clients that ask for a
     * name matching {@code hostname} (SNI); a wildcard {@code *.example.com} matches one label. The newest
     * matching context wins.
     *
     * @param hostname the name, or a wildcard pattern
     * @param options  options with a key and certificate
     * @return this server
     * @throws NetException Node's code when the key material cannot be used
     */
    TlsServer addContext(String hostname, TlsOptions options);
}
