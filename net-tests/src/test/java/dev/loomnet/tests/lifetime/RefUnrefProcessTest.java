package dev.loomnet.tests.lifetime;

import dev.loomnet.testing.ChildJvm;
import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.closeAndWait;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import dev.loomnet.tests.server.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ref()}/{@code unref()} and JVM lifetime, with child JVMs (catalog #140-#142): a child whose {@code main}
 * returned must exit when only unref'd handles are left, and stay up while a ref'd one is open.
 */
class RefUnrefProcessTest {

    @Test
    @Catalog(140)
    void an_unrefd_listening_server_lets_main_return_and_the_jvm_exit() throws Exception {         // #140
        try (ChildJvm child = ChildJvm.onClassPath(UnrefServerMain.class, "after")) {
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            assertTrue(child.lines().get(0).startsWith("port "), String.valueOf(child.lines()));
        }
    }

    @Test
    @Catalog(140)
    void an_unrefd_unix_socket_server_lets_the_jvm_exit_where_a_refd_one_keeps_it_up(@TempDir Path dir)
            throws Exception {                                                                       // #140
        // Node's test-pipe-unref: listen on a pipe path, unref, and the process exits. The control first: the
        // same server left ref'd holds the JVM up, so the exit below is the unref's doing.
        Path refd = dir.resolve("refd.sock");
        try (ChildJvm child = ChildJvm.onClassPath(UnrefServerMain.class, "ipc-ref", refd.toString())) {
            assertEquals("path " + refd + " listening true", child.awaitLine("path "));
            await().during(Duration.ofMillis(300)).atMost(ChildJvm.WAIT).until(child::isAlive);
        }
        Path unrefd = dir.resolve("unrefd.sock");
        try (ChildJvm child = ChildJvm.onClassPath(UnrefServerMain.class, "ipc", unrefd.toString())) {
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            assertEquals(List.of("path " + unrefd + " listening true"), child.lines());
        }
    }

    @Test
    @Catalog(141)
    void unref_called_before_listen_is_remembered_once_listening() throws Exception {               // #141
        try (ChildJvm child = ChildJvm.onClassPath(UnrefServerMain.class, "before")) {
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            assertTrue(child.lines().get(0).startsWith("port "), String.valueOf(child.lines()));
        }
    }

    @Test
    @Catalog(142)
    void a_refd_client_keeps_the_jvm_up_until_its_connection_closes() throws Exception {           // #142
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(0, V4);
        try (ChildJvm child = ChildJvm.onClassPath(ClientMain.class, String.valueOf(server.address().port()), "ref")) {
            child.awaitLine("connected");
            waiting().until(() -> accepted.size() == 1);
            // main has returned; the ref'd socket must hold the JVM up
            await().during(Duration.ofMillis(300)).atMost(ChildJvm.WAIT).until(child::isAlive);
            accepted.get(0).end();
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            assertTrue(child.lines().contains("closed false"), String.valueOf(child.lines()));
        } finally {
            accepted.forEach(Socket::destroy);
            waiting().until(() -> server.connections() == 0);
            closeAndWait(server);
        }
    }

    @Test
    @Catalog(134)
    void the_idle_timer_of_an_unrefd_open_socket_does_not_keep_the_jvm_alive() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(socket -> {
            socket.on(Socket.ERROR, e -> { });        // the child's exit may reset the connection
            Fixtures.collect(accepted).onConnection(socket);
        }).listen(0, V4);
        try (ChildJvm child = ChildJvm.onClassPath(ClientMain.class, String.valueOf(server.address().port()),
                "unref-timeout")) {
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            assertTrue(child.lines().contains("connected"), String.valueOf(child.lines()));
            assertTrue(!child.lines().contains("timeout") && !child.lines().contains("closed false"),
                    "the JVM exited with the socket open and its timer pending: " + child.lines());
        } finally {
            waiting().alias("accepted " + accepted + " connections " + server.connections())
                    .until(() -> accepted.size() == 1 && server.connections() == 0);
            closeAndWait(server);
        }
    }
}
