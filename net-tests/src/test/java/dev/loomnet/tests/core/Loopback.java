package dev.loomnet.tests.core;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.TestServer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Small loopback fixtures shared by the core tests. */
final class Loopback {

    static final String V4 = "127.0.0.1";

    private Loopback() {
    }

    /** A port that nothing listens on: the port of a server that was listening and is now closed. */
    static int closedPort() {
        try (TestServer server = TestServer.echo()) {
            return server.port();
        }
    }

    /**
     * Connects {@code socket} to {@code port} on 127.0.0.1 through a lookup that answers only once {@code release}
     * is counted down: until then the socket is surely connecting, as it is in Node until the next tick.
     */
    static Socket connectHeld(Socket socket, int port, CountDownLatch release) {
        return socket.connect(ConnectOptions.builder().host("held.test").port(port).lookup((host, family) -> {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the lookup");
            }
            return List.of(new Lookup.Address(V4, 4));
        }).build());
    }

    /** Closes the server and waits for its close callback. */
    static void closeAndWait(Server server) {
        AtomicBoolean closed = new AtomicBoolean();
        server.close(e -> closed.set(true));
        EventLog.waiting().untilTrue(closed);
    }
}
