/**
 * Fault tests: what loomnet does when the process runs out of resources (descriptors), checked in child JVMs
 * whose limits are lowered, so that the test JVM itself never runs short.
 */
@NullMarked
package dev.loomnet.tests.fault;

import org.jspecify.annotations.NullMarked;
