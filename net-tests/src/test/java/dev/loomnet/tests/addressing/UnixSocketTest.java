package dev.loomnet.tests.addressing;

import static dev.loomnet.tests.server.Fixtures.closeAndWait;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.Catalog;
import dev.loomnet.tests.server.Fixtures;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unix domain sockets in a temporary folder (catalog #15, #18, #25, #33, #69, #157, #158). */
class UnixSocketTest {

    @TempDir
    Path dir;

    /** Listens on {@code path} with an error listener attached first, and returns the listen error. */
    private static Throwable listenError(Server server, Path path, List<String> listening) {
        AtomicReference<Throwable> error = new AtomicReference<>();
        server.on(Server.ERROR, error::set);
        server.listen(path, () -> listening.add("listening"));
        waiting().until(() -> error.get() != null);
        return error.get();
    }

    @Test
    @Catalog({33, 157})
    void listen_path_and_connect_path_exchange_data_and_address_is_the_path() {                 // #33, #157
        Path path = dir.resolve("echo.sock");
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(s -> {
            accepted.add(s);
            s.on(Socket.DATA, s::write);
        }).listen(path);
        assertEquals(new AddressInfo(path.toString(), AddressInfo.UNIX, 0), server.address());
        assertEquals(path, server.address().path());
        Socket client = Net.socket();
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        List<String> echoed = new CopyOnWriteArrayList<>();
        client.on(Socket.DATA, chunk -> echoed.add(new String(chunk, StandardCharsets.UTF_8)));
        client.connect(path);
        trace.await("connect");
        client.write("ping");
        waiting().until(() -> String.join("", echoed).equals("ping"));
        assertEquals(path.toString(), client.remoteAddress());
        assertNull(client.remoteFamily());
        assertEquals(0, client.remotePort());
        assertEquals(path.toString(), accepted.get(0).localAddress());
        client.end();
        trace.awaitClosed();
        assertEquals(List.of("connect", "ready", "end", "close:false"), trace.events);
        closeAndWait(server);
        assertEquals(path, server.address().path(), "a pipe server keeps its path after close, as Node");
    }

    @Test
    @Catalog(15)
    void listen_on_a_path_a_live_server_owns_gives_eaddrinuse() {                                  // #15
        Path path = dir.resolve("busy.sock");
        Server first = Net.createServer().listen(path);
        Server second = Net.createServer();
        List<String> listening = new CopyOnWriteArrayList<>();
        Throwable error = listenError(second, path, listening);
        assertEquals(NetException.EADDRINUSE, ((NetException) error).code());
        assertTrue(error.getMessage().startsWith("listen EADDRINUSE: address already in use"), error.getMessage());
        assertEquals("listen EADDRINUSE: address already in use " + path, error.getMessage());
        assertEquals("listen", ((NetException) error).syscall());
        assertFalse(second.listening());
        assertTrue(listening.isEmpty());
        assertTrue(Files.exists(path), "the live server's file is left alone");
        closeAndWait(first);
    }

    @Test
    @Catalog(158)
    void close_removes_the_socket_file() {                                                          // #158
        Path path = dir.resolve("gone.sock");
        Server server = Net.createServer().listen(path);
        assertTrue(Files.exists(path));
        closeAndWait(server);
        assertFalse(Files.exists(path));
    }

    @Test
    @Catalog(158)
    void a_stale_socket_file_left_by_a_dead_owner_gives_eaddrinuse_as_in_node() throws Exception {  // #158
        Path path = dir.resolve("stale.sock");
        try (ServerSocketChannel raw = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.bind(UnixDomainSocketAddress.of(path));
        }                                                    // closed without deleting: what a crash leaves
        assertTrue(Files.exists(path));
        Server server = Net.createServer();
        Throwable error = listenError(server, path, new CopyOnWriteArrayList<>());
        assertEquals(NetException.EADDRINUSE, ((NetException) error).code());
        assertTrue(error.getMessage().startsWith("listen EADDRINUSE: address already in use"), error.getMessage());
        assertTrue(Files.exists(path), "loomnet does not unlink a file it did not create");
        // the documented remedy: delete the stale file, then listen again
        Files.delete(path);
        server.listen(path);
        waiting().until(server::listening);
        closeAndWait(server);
    }

    /** Connects to {@code path}, expects one {@code ERROR} with {@code code} then {@code CLOSE(true)}, returns it. */
    private static NetException connectError(Path path, String code) {
        Socket client = Net.socket();
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        client.connect(path);
        trace.awaitClosed();
        assertEquals(List.of("error:" + code, "close:true"),
                trace.events.stream().filter(e -> !e.startsWith("attempt") && !e.startsWith("failed")).toList());
        NetException e = (NetException) trace.errors.get(0);
        assertEquals("connect " + code + " " + path, e.getMessage());
        assertEquals("connect", e.syscall());
        return e;
    }

    @Test
    @Catalog(69)
    void connect_to_a_missing_path_gives_enoent() {                                                 // #69
        connectError(dir.resolve("missing.sock"), NetException.ENOENT);
    }

    @Test
    @Catalog(69)
    void connect_to_a_stale_socket_file_is_refused() throws Exception {                             // #69
        Path path = dir.resolve("dead.sock");
        try (ServerSocketChannel raw = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.bind(UnixDomainSocketAddress.of(path));
        }
        Socket client = Net.socket();
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        client.connect(path);
        trace.awaitClosed();
        assertEquals("connect ECONNREFUSED " + path, trace.errors.get(0).getMessage());
    }

    /** The events of a failed pipe connect, without the attempt events. */
    private static List<String> outcome(Fixtures.Trace trace) {
        return trace.events.stream().filter(e -> !e.startsWith("attempt") && !e.startsWith("failed")).toList();
    }

    @Test
    @Catalog(69)
    void connect_to_a_regular_file_is_refused_as_node_is_on_linux() throws Exception {               // #69
        // Node's test-net-pipe-connect-errors accepts ENOTSOCK or ECONNREFUSED; Linux answers ECONNREFUSED, and
        // so does Node 20 here: connect ECONNREFUSED <path>
        Path path = Files.writeString(dir.resolve("plain.txt"), "");
        Socket client = Net.socket();
        Fixtures.Trace trace = Fixtures.Trace.of(client);
        client.connect(path);
        trace.awaitClosed();
        NetException e = (NetException) trace.errors.get(0);
        assertTrue(List.of(NetException.ENOTSOCK, NetException.ECONNREFUSED).contains(e.code()), e.code());
        assertEquals(List.of("error:" + e.code(), "close:true"), outcome(trace));
        assertEquals("connect " + e.code() + " " + path, e.getMessage());
        assertEquals("connect", e.syscall());
        assertTrue(Files.isRegularFile(path), "the file is left alone");
    }

    @Test
    @Catalog(69)
    void connect_to_a_socket_file_with_mode_0_gives_eacces() throws Exception {                      // #69
        Path path = dir.resolve("closed.sock");
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(path);
        try {
            Files.setPosixFilePermissions(path, Set.of());
            // Root may connect to any socket file whatever its mode (Node's test skips this case for root too);
            // access(2), which isWritable asks, answers as connect(2) will.
            assumeFalse(Files.isWritable(path), "running as root: mode 0 does not stop connect");
            Socket client = Net.socket();
            Fixtures.Trace trace = Fixtures.Trace.of(client);
            client.connect(path);
            trace.awaitClosed();
            assertEquals(List.of("error:EACCES", "close:true"), outcome(trace));
            NetException e = (NetException) trace.errors.get(0);
            assertEquals("connect EACCES " + path, e.getMessage());
            assertEquals(List.of(), accepted);
        } finally {
            closeAndWait(server);
        }
    }

    @Test
    @Catalog(25)
    void writable_all_and_readable_all_open_the_socket_file_to_group_and_others() throws Exception { // #25
        Path path = dir.resolve("open.sock");
        Server server = Net.createServer()
                .listen(ListenOptions.builder().path(path).readableAll(true).writableAll(true).build());
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        assertTrue(perms.containsAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE)), perms.toString());
        closeAndWait(server);
    }

    @Test
    @Catalog(25)
    void readable_all_alone_adds_read_for_group_and_others_and_no_write() throws Exception {        // #25
        Path path = dir.resolve("read.sock");
        Server server = Net.createServer().listen(ListenOptions.builder().path(path).readableAll(true).build());
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        assertTrue(perms.containsAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ)),
                perms.toString());
        assertFalse(perms.contains(PosixFilePermission.OTHERS_WRITE), perms.toString());
        closeAndWait(server);
    }

    @Test
    void a_unix_socket_accepts_several_clients_at_once_and_counts_them() {                        // #157
        Path path = dir.resolve("many.sock");
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted)).listen(path);
        List<Fixtures.Trace> traces = new CopyOnWriteArrayList<>();
        List<Socket> clients = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket c = Net.socket();
            traces.add(Fixtures.Trace.of(c));
            clients.add(c.connect(path));
        }
        waiting().until(() -> server.connections() == 3);
        clients.forEach(Socket::destroy);
        traces.forEach(Fixtures.Trace::awaitClosed);
        waiting().until(() -> server.connections() == 0);
        closeAndWait(server);
    }

    @Test
    @Catalog(18)
    void listen_on_a_path_in_a_missing_folder_gives_an_error_whose_address_is_the_path() {      // #18
        Path path = dir.resolve("no-such-folder").resolve("s.sock");
        List<String> listening = new CopyOnWriteArrayList<>();
        Server server = Net.createServer();
        NetException e = (NetException) listenError(server, path, listening);
        assertEquals(path.toString(), e.address());
        assertEquals("listen", e.syscall());
        assertFalse(server.listening());
        assertTrue(listening.isEmpty());
        assertFalse(Files.exists(path));
    }

    /** A path longer than {@code sun_path} (108 bytes on Linux) in the temporary folder. */
    private Path tooLong() {
        return dir.resolve("x".repeat(Math.max(1, 120 - dir.toString().length())) + ".sock");
    }

    @Test
    void listen_on_a_path_longer_than_the_os_allows_gives_einval_and_keeps_the_jdk_cause() {
        Path path = tooLong();
        List<String> listening = new CopyOnWriteArrayList<>();
        Server server = Net.createServer();
        NetException e = (NetException) listenError(server, path, listening);
        // Current Node binds with UV_PIPE_NO_TRUNCATE: EINVAL (Node 20 silently bound a truncated path)
        assertEquals(NetException.EINVAL, e.code());
        assertEquals("listen EINVAL: invalid argument " + path, e.getMessage());
        assertEquals("listen", e.syscall());
        assertEquals(path.toString(), e.address());
        assertEquals("Unix domain path too long", e.getCause().getMessage());
        assertFalse(server.listening());
        assertTrue(listening.isEmpty());
    }

    @Test
    void connect_to_a_path_longer_than_the_os_allows_gives_einval_and_keeps_the_jdk_cause() {
        NetException e = connectError(tooLong(), NetException.EINVAL);
        assertEquals("Unix domain path too long", e.getCause().getMessage());
    }
}
