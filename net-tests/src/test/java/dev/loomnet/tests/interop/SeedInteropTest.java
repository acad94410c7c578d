package dev.loomnet.tests.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.examples.SeedClient;
import dev.loomnet.examples.SeedClient2;
import dev.loomnet.testing.ChildJvm;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's example (shared/seed/node-net-module.txt: server.js, client.js and the second client) with
 * loomnet on one side and Node on the other, line for line against what Node prints with Node on both sides,
 * run in the same test. loomnet's sides are the shipped examples ({@link SeedClient}, {@link SeedClient2},
 * {@link dev.loomnet.examples.SeedServer}) in child JVMs, so what is compared is what the programs print, and
 * a loomnet client also has to exit by itself, as Node's does.
 *
 * <p>The example has two races that Node has with itself, and which the README describes; the comparison
 * allows exactly those, on both sides alike:
 * <ul>
 *   <li>the first client may get the greeting and the echo of its own message in one chunk, and then prints
 *       {@code Hello from client} where it otherwise prints an empty line (the rest of {@code \r\n});</li>
 *   <li>that client destroys its socket on the first chunk, maybe with the echo unread, and the kernel then
 *       resets the connection: the server prints {@code client closed the connection} only when the close
 *       came as an end. The servers report each connection's close on stderr, which tells the two apart.</li>
 * </ul>
 *
 * <p>Needs {@code node} 20 or later on the {@code PATH} (CI machines have it); skipped without it.
 */
class SeedInteropTest {

    private static final String ECHO_IN_FIRST_CHUNK = "Hello from client";

    @BeforeEach
    void node_is_installed() {
        Optional<String> why = NodeProcess.unavailable();
        assumeTrue(why.isEmpty(), () -> why.orElseThrow());
    }

    @Test
    void loomnets_seed_clients_print_what_nodes_print_against_nodes_seed_server() throws Exception {
        try (NodeProcess server = NodeProcess.start("seed-server.js", "0")) {
            String port = server.awaitErrLine("port ");
            List<String> nodeFirst = node("seed-client.js", port);
            server.awaitErrLines("close ", 1);           // one conversation at a time, as the seed's reader would
            List<String> nodeSecond = node("seed-client2.js", port);
            server.awaitErrLines("close ", 2);
            List<String> loomFirst = loomnet(SeedClient.class, port);
            server.awaitErrLines("close ", 3);
            List<String> loomSecond = loomnet(SeedClient2.class, port);
            server.awaitErrLines("close ", 4);

            assertEquals(firstClient(nodeFirst), firstClient(loomFirst), "loomnet's client.js");
            assertEquals(nodeSecond, loomSecond, "loomnet's second client");
            // The server's own lines: the conversations with loomnet's clients look like those with Node's.
            List<List<String>> conversations = conversations(server.stdout());
            List<Boolean> reset = closes(server.stderr());
            assertEquals(List.of("server is listening"), conversations.get(0), server.toString());
            assertEquals(5, conversations.size(), server.toString());
            assertSameConversation(conversations.get(1), reset.get(0), conversations.get(3), reset.get(2),
                    "first client: " + server);
            assertSameConversation(conversations.get(2), reset.get(1), conversations.get(4), reset.get(3),
                    "second client: " + server);
        }
    }

    @Test
    void nodes_seed_clients_print_the_same_against_loomnets_seed_server_and_it_prints_what_nodes_prints()
            throws Exception {
        try (NodeProcess nodeServer = NodeProcess.start("seed-server.js", "0");
             ChildJvm loomServer = ChildJvm.onClassPath(SeedServerMain.class)) {
            String nodePort = nodeServer.awaitErrLine("port ");
            List<String> nodeFirst = node("seed-client.js", nodePort);
            nodeServer.awaitErrLines("close ", 1);
            List<String> nodeSecond = node("seed-client2.js", nodePort);
            nodeServer.awaitErrLines("close ", 2);

            String loomPort = loomServer.awaitLine("port ").substring("port ".length());
            List<String> againstLoomFirst = node("seed-client.js", loomPort);
            awaitCloses(loomServer, 1);
            List<String> againstLoomSecond = node("seed-client2.js", loomPort);
            awaitCloses(loomServer, 2);

            assertEquals(firstClient(nodeFirst), firstClient(againstLoomFirst), "client.js against loomnet");
            assertEquals(nodeSecond, againstLoomSecond, "the second client against loomnet");
            // ChildJvm merges stderr into stdout; the seed's own lines never start like the test's additions.
            List<String> loomLines = loomServer.lines();
            List<String> loomStdout = loomLines.stream()
                    .filter(l -> !l.startsWith("port ") && !l.startsWith("close ") && !l.startsWith("error ")).toList();
            List<List<String>> node = conversations(nodeServer.stdout());
            List<List<String>> loom = conversations(loomStdout);
            List<Boolean> nodeReset = closes(nodeServer.stderr());
            List<Boolean> loomReset = closes(loomLines);
            assertEquals(node.size(), loom.size(), "server.js: " + nodeServer + " / " + loomLines);
            assertEquals(node.get(0), loom.get(0), "server.js: " + loomLines);
            for (int i = 1; i < node.size(); i++) {
                assertSameConversation(node.get(i), nodeReset.get(i - 1), loom.get(i), loomReset.get(i - 1),
                        "server.js: " + nodeServer + " / " + loomLines);
            }
        }
    }

    /** Runs a seed client under Node to its exit and returns its lines. */
    private static List<String> node(String script, String port) throws Exception {
        try (NodeProcess client = NodeProcess.start(script, port)) {
            return client.awaitSuccess();
        }
    }

    /** Runs a loomnet seed client in a child JVM to its exit (it must exit by itself, as Node's does). */
    private static List<String> loomnet(Class<?> main, String port) throws Exception {
        try (ChildJvm client = ChildJvm.onClassPath(main, port)) {
            assertEquals(0, client.awaitExit(), main.getSimpleName() + " " + client.lines());
            return List.copyOf(client.lines());
        }
    }

    private static void awaitCloses(ChildJvm server, int count) {
        Awaitility.await().atMost(ChildJvm.WAIT).until(() -> closes(server.lines()).size() >= count || !server.isAlive());
        assertEquals(count, closes(server.lines()).size(), String.valueOf(server.lines()));
    }

    /** The {@code close HADERROR} lines, one per connection, as booleans. */
    private static List<Boolean> closes(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("close ")).map(l -> Boolean.valueOf(l.substring(6))).toList();
    }

    /**
     * client.js's lines with the first race folded: the echo that came in the greeting's chunk is printed as
     * the empty line the greeting's {@code \r\n} gives when it came alone.
     */
    private static List<String> firstClient(List<String> lines) {
        List<String> out = new ArrayList<>(lines);
        int received = out.indexOf("Received: Hello World!");
        if (received >= 0 && received + 1 < out.size() && out.get(received + 1).equals(ECHO_IN_FIRST_CHUNK)) {
            out.set(received + 1, "");
        }
        return out;
    }

    /** server.js's lines cut into the listening line and one list per conversation ({@code client connected} on). */
    private static List<List<String>> conversations(List<String> lines) {
        List<List<String>> out = new ArrayList<>();
        out.add(new ArrayList<>());
        for (String line : lines) {
            if (line.equals("client connected")) {
                out.add(new ArrayList<>());
            }
            out.get(out.size() - 1).add(line);
        }
        return out;
    }

    /**
     * Asserts that two of server.js's conversations printed the same, with the second race folded: when
     * either ended in a reset, {@code client closed the connection} may be missing from it, so the line is
     * left out of both.
     */
    private static void assertSameConversation(List<String> expected, boolean expectedReset, List<String> actual,
                                               boolean actualReset, String message) {
        List<String> e = new ArrayList<>(expected);
        List<String> a = new ArrayList<>(actual);
        if (expectedReset || actualReset) {
            e.remove("client closed the connection");
            a.remove("client closed the connection");
        }
        assertEquals(e, a, message);
    }
}
