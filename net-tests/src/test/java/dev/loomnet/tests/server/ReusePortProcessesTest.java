package dev.loomnet.tests.server;

import dev.loomnet.testing.ChildJvm;
import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.destroyAll;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.examples.EchoServer;
import dev.loomnet.net.Net;
import dev.loomnet.net.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code reusePort} across processes: two {@link EchoServer} child JVMs listen on one port with
 * {@code SO_REUSEPORT}, and both serve connections. Which child served a connection is read from Linux's
 * {@code /proc}: the server side of the connection is the {@code /proc/net/tcp} entry whose local port is the
 * shared port and whose remote port is the client's; its inode is one of the socket descriptors in
 * {@code /proc/<pid>/fd} of exactly one child.
 */
class ReusePortProcessesTest {

    private static final Path PROC_TCP = Path.of("/proc/net/tcp");

    /** A port that was free a moment ago: bound on 127.0.0.1:0 and closed. */
    private static int freePort() throws IOException {
        try (ServerSocketChannel ch = ServerSocketChannel.open()) {
            ch.bind(new InetSocketAddress(V4, 0));
            return ((InetSocketAddress) ch.getLocalAddress()).getPort();
        }
    }

    /** The inode of the 127.0.0.1 socket with this local and remote port, or null. */
    private static String inode(int localPort, int remotePort) throws IOException {
        String local = String.format(Locale.ROOT, "0100007F:%04X", localPort);
        String remote = String.format(Locale.ROOT, "0100007F:%04X", remotePort);
        for (String line : Files.readAllLines(PROC_TCP)) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && f[1].equals(local) && f[2].equals(remote) && !f[9].equals("0")) {
                return f[9];
            }
        }
        return null;
    }

    /** The socket inodes a process holds. */
    private static Set<String> socketInodes(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.map(p -> {
                try {
                    return Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    return "";                                  // closed while listing
                }
            }).filter(l -> l.startsWith("socket:[")).map(l -> l.substring(8, l.length() - 1))
                    .collect(Collectors.toSet());
        }
    }

    @Test
    void two_echo_server_processes_with_reuse_port_on_one_port_both_receive_connections() throws Exception {
        assumeTrue(Files.isReadable(PROC_TCP), "needs Linux /proc/net/tcp to tell the children apart");
        int port = freePort();
        String[] args = {String.valueOf(port), "events", V4, "reuseport"};
        List<Socket> clients = new ArrayList<>();
        try (ChildJvm a = ChildJvm.onClassPath(EchoServer.class, args);
             ChildJvm b = ChildJvm.onClassPath(EchoServer.class, args)) {
            a.awaitLine("READY port=" + port);
            b.awaitLine("READY port=" + port);
            int servedByA = 0;
            int servedByB = 0;
            // The kernel picks a listener by a hash of the client's address and port; connect until both have
            // served one (bounded: the chance that 64 clients all land on one child is 2^-63).
            for (int i = 0; i < 64 && (servedByA == 0 || servedByB == 0); i++) {
                Socket c = Net.socket();
                Fixtures.Trace.of(c);
                List<String> echoed = new CopyOnWriteArrayList<>();
                c.on(Socket.DATA, chunk -> echoed.add(new String(chunk, StandardCharsets.UTF_8)));
                clients.add(c.connect(port, V4));
                c.write("ping " + i);
                String expected = "ping " + i;
                waiting().until(() -> String.join("", echoed).equals(expected));   // served: accepted and echoed
                String inode = inode(port, c.localPort());
                assertTrue(inode != null, "no /proc/net/tcp entry for the server side of client " + i);
                boolean inA = socketInodes(a.pid()).contains(inode);
                boolean inB = socketInodes(b.pid()).contains(inode);
                assertTrue(inA ^ inB, "exactly one child holds connection " + i);
                servedByA += inA ? 1 : 0;
                servedByB += inB ? 1 : 0;
            }
            assertFalse(servedByA == 0, "child A served none of " + clients.size());
            assertFalse(servedByB == 0, "child B served none of " + clients.size());
            destroyAll(clients);
            waiting().until(() -> clients.stream().allMatch(s -> s.destroyed()));
        }
    }
}
