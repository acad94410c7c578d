/**
 * A test kit for JUnit 5 tests of code that uses loomnet: {@link dev.loomnet.testing.LoomnetExtension} fails a
 * test that leaves a socket, a server, a loomnet thread or a socket descriptor open, or an uncaught exception
 * behind; {@link dev.loomnet.testing.TestServer} is a server on an ephemeral loopback port that closes everything
 * it and its clients opened; {@link dev.loomnet.testing.EventRecorder} records a socket's or a server's events in
 * order, for assertions. Add the {@code net-tests} artifact with {@code test} scope.
 *
 * <p>Nothing here is needed at run time, and nothing here runs in parallel tests of one JVM: the leak check
 * counts the process's handles.
 */
@NullMarked
package dev.loomnet.testing;

import org.jspecify.annotations.NullMarked;
