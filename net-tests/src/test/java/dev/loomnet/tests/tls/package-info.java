/**
 * Node's {@code tls} module through loomnet's public API only ({@code Tls}, {@code TlsServer}, {@code TlsSocket},
 * {@code TlsOptions}): real loopback sockets, certificates made at run time ({@code TestPki}), and interop
 * with the machine's {@code node} and {@code openssl}.
 */
@NullMarked
package dev.loomnet.tests.tls;

import org.jspecify.annotations.NullMarked;
