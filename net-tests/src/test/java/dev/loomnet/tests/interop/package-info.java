/**
 * Interop tests: loomnet talking to a real Node.js process over loopback TCP (127.0.0.1, ::1) and Unix
 * domain sockets, in both directions, with the transcript of the same conversation with Node on both sides
 * as the expected result. The Node programs are in {@code src/test/resources/interop}: the seed's example
 * ({@code seed-*.js}) and {@code peer.js}, whose loomnet twin is {@link dev.loomnet.tests.interop.LoomPeer}.
 * The tests need {@code node} (20 or later) on the {@code PATH}; without it they are skipped.
 */
@NullMarked
package dev.loomnet.tests.interop;

import org.jspecify.annotations.NullMarked;
