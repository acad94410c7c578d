/**
 * Node.js's {@code net} module on virtual threads: {@link dev.loomnet.net.Net} is the module,
 * {@link dev.loomnet.net.Server} and {@link dev.loomnet.net.Socket} are {@code net.Server} and {@code net.Socket}.
 *
 * <p>Events are typed keys ({@link dev.loomnet.net.Event}) declared on the emitter that emits them, so
 * {@code socket.on(Socket.DATA, chunk -> ...)} compiles without casts. Every listener of one socket runs
 * one at a time in Node's order; listeners of different sockets run in parallel. See {@code docs/ARCHITECTURE.md}.
 */
@NullMarked
package dev.loomnet.net;

import org.jspecify.annotations.NullMarked;
