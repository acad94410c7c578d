/**
 * Randomized stress tests: seeded chaos scenarios that drive real loopback socket pairs (TCP and Unix domain
 * sockets) through random interleavings of the public API, from several threads and from inside listeners,
 * and check the invariants that must hold in every run ({@link dev.loomnet.tests.stress.ChaosTest}).
 */
@NullMarked
package dev.loomnet.tests.stress;

import org.jspecify.annotations.NullMarked;
