/**
 * Runnable examples: the seed's echo server and its two clients ({@link dev.loomnet.examples.SeedExample}
 * runs all three), and {@link dev.loomnet.examples.EchoServer} for benchmarks.
 */
@NullMarked
package dev.loomnet.examples;

import org.jspecify.annotations.NullMarked;
