package dev.loomnet.tests.server;

import static dev.loomnet.tests.server.Fixtures.V4;
import static dev.loomnet.tests.server.Fixtures.closeAndWait;
import static dev.loomnet.tests.server.Fixtures.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.tests.Catalog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listen(ServerSocketChannel)} (Node's {@code listen(handle)}, catalog #29, #158) and
 * {@code Net.socket(SocketChannel)} (Node's {@code new Socket({fd})}).
 */
class AdoptedChannelTest {

    @Test
    void a_test_jvm_has_no_inherited_channel() throws IOException {
        // Under systemd socket activation (StandardInput=socket) this is the listening socket to adopt.
        assertNull(System.inheritedChannel());
    }

    @Test
    @Catalog(29)
    void an_already_bound_server_channel_is_adopted_and_serves_on_its_address() throws IOException {  // #29
        ServerSocketChannel channel = ServerSocketChannel.open();
        channel.bind(new InetSocketAddress(V4, 0));
        int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        List<String> events = new CopyOnWriteArrayList<>();
        Server server = Net.createServer(Fixtures.collect(accepted));
        server.listen(channel, () -> events.add("listening"));
        assertEquals(new AddressInfo(V4, AddressInfo.IPV4, port), server.address());
        waiting().until(() -> events.contains("listening"));
        Socket c = Net.socket();
        Fixtures.Trace t = Fixtures.Trace.of(c);
        c.connect(port, V4);
        t.await("connect");
        waiting().until(() -> accepted.size() == 1);
        c.destroy();
        t.awaitClosed();
        closeAndWait(server);
        assertFalse(channel.isOpen(), "close() closes the adopted channel");
    }

    @Test
    @Catalog(28)
    void an_unbound_server_channel_is_rejected_with_err_invalid_arg_value() throws IOException {
        try (ServerSocketChannel channel = ServerSocketChannel.open()) {
            NetException e = assertThrows(NetException.class, () -> Net.createServer().listen(channel));
            assertEquals(NetException.ERR_INVALID_ARG_VALUE, e.code());
        }
    }

    @Test
    @Catalog({29, 158})
    void closing_a_server_on_an_adopted_unix_channel_leaves_the_file_it_did_not_create(@TempDir Path dir)
            throws IOException {                                                                     // #158
        Path path = dir.resolve("adopted.sock");
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(path));
        Server server = Net.createServer().listen(channel);
        assertTrue(server.address().isUnix());
        assertEquals(path, server.address().path());
        closeAndWait(server);
        assertTrue(Files.exists(path), "Node does not unlink a path bound through an adopted handle");
    }

    /** A connected pair of raw channels: {@code [client, accepted]}. */
    private static SocketChannel[] rawPair() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(V4, 0));
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            return new SocketChannel[] {client, listener.accept()};
        }
    }

    @Test
    void a_socket_over_an_existing_connected_channel_reads_and_writes() throws IOException {
        SocketChannel[] pair = rawPair();
        try (SocketChannel peer = pair[1]) {
            Socket socket = Net.socket(pair[0]);
            Fixtures.Trace t = Fixtures.Trace.of(socket);
            List<String> received = new CopyOnWriteArrayList<>();
            socket.on(Socket.DATA, chunk -> received.add(new String(chunk, StandardCharsets.UTF_8)));
            assertFalse(socket.connecting());
            assertFalse(socket.pending());
            assertEquals(V4, socket.remoteAddress());
            assertEquals(((InetSocketAddress) peer.getLocalAddress()).getPort(), socket.remotePort());
            socket.write("from loomnet");
            ByteBuffer in = ByteBuffer.allocate(64);
            while (in.position() < "from loomnet".length()) {
                assertTrue(peer.read(in) > 0);
            }
            assertEquals("from loomnet", new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
            peer.write(ByteBuffer.wrap("from raw".getBytes(StandardCharsets.UTF_8)));
            waiting().until(() -> String.join("", received).equals("from raw"));
            peer.shutdownOutput();
            t.awaitClosed();
            assertEquals(List.of("end", "close:false"), t.events, "no CONNECT for an adopted channel");
        }
    }

    @Test
    @Catalog(152)
    void a_socket_over_an_unconnected_channel_is_rejected() throws IOException {
        try (SocketChannel channel = SocketChannel.open()) {
            NetException e = assertThrows(NetException.class, () -> Net.socket(channel));
            assertEquals(NetException.ERR_INVALID_ARG_VALUE, e.code());
        }
    }

    @Test
    @SuppressWarnings("try")                            // peer: the other end, only held open by the try
    @Catalog(145)
    void no_delay_and_keep_alive_options_are_set_on_the_channel_when_the_connection_is_established()
            throws IOException {                                                                     // #145-#150
        SocketChannel[] pair = rawPair();
        try (SocketChannel peer = pair[1]) {
            SocketChannel channel = pair[0];
            assertFalse(channel.getOption(StandardSocketOptions.TCP_NODELAY));
            assertFalse(channel.getOption(StandardSocketOptions.SO_KEEPALIVE));
            Socket socket = Net.socket(channel, SocketOptions.builder().noDelay(true).keepAlive(true).build());
            Fixtures.Trace t = Fixtures.Trace.of(socket);
            assertTrue(channel.getOption(StandardSocketOptions.TCP_NODELAY));
            assertTrue(channel.getOption(StandardSocketOptions.SO_KEEPALIVE));
            socket.setNoDelay(false).setKeepAlive(false);
            assertFalse(channel.getOption(StandardSocketOptions.TCP_NODELAY));
            assertFalse(channel.getOption(StandardSocketOptions.SO_KEEPALIVE));
            socket.destroy();
            t.awaitClosed();
        }
    }
}
