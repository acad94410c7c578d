package dev.loomnet.tests.process;

import dev.loomnet.testing.ChildJvm;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Threading contract item 6: a listening server and an open socket keep the JVM alive, and only they do. */
class JvmLifetimeTest {

    @Test
    void a_process_whose_main_only_listens_stays_alive() throws Exception {
        try (ChildJvm child = ChildJvm.onClassPath(ListenOnlyMain.class)) {
            String line = child.awaitLine("port ");
            assertTrue(Integer.parseInt(line.substring(5)) > 0, line);
            // main has returned once it printed; the server must keep the JVM running
            await().during(Duration.ofMillis(500)).atMost(ChildJvm.WAIT).until(child::isAlive);
        }
    }

    @Test
    void a_process_whose_server_is_closed_exits_by_itself_with_status_0() throws Exception {
        try (ChildJvm child = ChildJvm.onClassPath(ListenThenCloseMain.class)) {
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            assertTrue(child.lines().contains("closed null"), String.valueOf(child.lines()));
        }
    }

    @Test
    void a_process_whose_main_connected_a_client_runs_until_the_client_closes() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(s -> {
            accepted.add(s);
            s.resume();
        }).listen(0, "127.0.0.1");
        try (ChildJvm child = ChildJvm.onClassPath(ClientMain.class, String.valueOf(server.address().port()))) {
            child.awaitLine("connected");
            await().during(Duration.ofMillis(500)).atMost(ChildJvm.WAIT).until(child::isAlive);
            await().atMost(ChildJvm.WAIT).until(() -> accepted.size() == 1);
            accepted.get(0).end();                           // the child's socket ends, then closes
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            assertTrue(child.lines().contains("closed false"), String.valueOf(child.lines()));
        } finally {
            accepted.forEach(Socket::destroy);
            AtomicBoolean closed = new AtomicBoolean();
            server.close(e -> closed.set(true));
            await().atMost(ChildJvm.WAIT).untilTrue(closed);
        }
    }
}
