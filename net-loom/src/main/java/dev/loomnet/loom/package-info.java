/**
 * The virtual-thread implementation of loomnet. Everything but {@link dev.loomnet.loom.LoomNetProvider} is
 * package-private. Data flows one way: channel, the read loop in {@code ReadLoop}, {@code EventQueue},
 * listeners; user writes
 * go through {@code Writer} to the channel; {@code Timers} and {@code Lifetime} sit beside.
 */
@NullMarked
package dev.loomnet.loom;

import org.jspecify.annotations.NullMarked;
