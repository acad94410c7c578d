/**
 * The TLS benchmark (issue 17's rows): a load generator on the JDK's {@code SSLSocket}
 * ({@link dev.loomnet.bench.tls.TlsLoad}) and the echo servers it measures: loomnet's
 * ({@link dev.loomnet.bench.tls.TlsEchoLoomnet}) and Netty's with the JDK provider
 * ({@link dev.loomnet.bench.tls.TlsEchoNetty}). Run by {@code net-tests/bench/run-tls-bench.sh}.
 */
@NullMarked
package dev.loomnet.bench.tls;

import org.jspecify.annotations.NullMarked;
