package dev.loomnet.loom;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.ReadyState;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/**
 * {@code setNoDelay} and {@code setKeepAlive}: chainable, idempotent, never throwing before connect, after
 * connect or after close (catalog #125, #143-#150), and observed on the channel itself. It lives in
 * {@code dev.loomnet.loom} to read the options from the socket's channel (package-private).
 */
class SocketOptionsAppliedTest {

    private static boolean option(Socket socket, java.net.SocketOption<Boolean> name) throws IOException {
        SocketChannel ch = ((LoomSocket) socket).link.channel();
        return ch.getOption(name);
    }

    private static Socket everyCall(Socket s) {
        assertSame(s, s.setNoDelay());
        assertSame(s, s.setNoDelay(true));
        assertSame(s, s.setNoDelay(false));
        assertSame(s, s.setNoDelay(false));
        assertSame(s, s.setKeepAlive(true));
        assertSame(s, s.setKeepAlive(true, Duration.ofSeconds(1)));
        assertSame(s, s.setKeepAlive(false, Duration.ofMillis(-5)));    // negative delay: treated as 0
        return s;
    }

    @Test
    @Catalog({143, 145, 150})
    void the_options_set_before_connect_are_applied_once_connected() throws Exception {
        BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        Server server = Net.createServer(s -> accepted.add(s.resume())).listen(0, "127.0.0.1");
        AtomicBoolean connected = new AtomicBoolean();
        Socket client = everyCall(Net.socket()).setNoDelay().setKeepAlive(true, Duration.ofSeconds(7)).resume();
        client.connect(server.address().port(), "127.0.0.1", () -> connected.set(true));   // #145, #150
        Socket peer = accepted.poll(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(connected::get);
        assertEquals(true, option(client, StandardSocketOptions.TCP_NODELAY));
        assertEquals(true, option(client, StandardSocketOptions.SO_KEEPALIVE));
        assertEquals(7, ((LoomSocket) client).link.channel().getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        assertEquals(ReadyState.OPEN, client.readyState());
        closeAll(client, peer, server);
    }

    @Test
    @Catalog(144)
    void the_options_change_the_channel_after_connect_and_repeat_calls_are_harmless() throws Exception {
        BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        Server server = Net.createServer(s -> accepted.add(s.resume())).listen(0, "127.0.0.1");
        Socket client = Net.socket().resume();
        client.connect(server.address().port(), "127.0.0.1");
        Socket peer = accepted.poll(30, TimeUnit.SECONDS);
        assertEquals(false, option(peer, StandardSocketOptions.TCP_NODELAY));   // Node's default: Nagle on
        everyCall(peer);
        assertEquals(false, option(peer, StandardSocketOptions.TCP_NODELAY));
        assertEquals(false, option(peer, StandardSocketOptions.SO_KEEPALIVE));
        peer.setNoDelay(true).setNoDelay(true).setKeepAlive(true).setKeepAlive(true);
        assertEquals(true, option(peer, StandardSocketOptions.TCP_NODELAY));
        assertEquals(true, option(peer, StandardSocketOptions.SO_KEEPALIVE));
        closeAll(client, peer, server);
    }

    @Test
    @Catalog({148, 149})
    void the_server_options_are_applied_to_accepted_sockets_before_CONNECTION() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Server server = Net.createServer(ServerOptions.builder().noDelay(true).keepAlive(true)
                .keepAliveInitialDelay(Duration.ofSeconds(3)).build(), s -> {   // #148, #149
            seen.add(option(s, StandardSocketOptions.TCP_NODELAY) + ":" + option(s, StandardSocketOptions.SO_KEEPALIVE)
                    + ":" + ((LoomSocket) s).link.channel().getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
            s.destroy();
        }).listen(0, "127.0.0.1");
        Socket client = Net.socket().resume();
        client.connect(server.address().port(), "127.0.0.1");
        assertEquals("true:true:3", seen.poll(30, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(30)).until(client::destroyed);
        server.close();
    }

    @Test
    @Catalog({125, 156})
    void the_setters_do_not_throw_on_a_closed_socket() {
        Socket socket = Net.socket();
        socket.destroy();
        everyCall(socket);                                                        // #125
        assertSame(socket, socket.pause());
        assertSame(socket, socket.resume());
        assertEquals(0, socket.bufferSize());
        assertEquals(null, socket.address());
    }

    private static void closeAll(Socket client, Socket peer, Server server) {
        client.destroy();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.destroyed() && peer.destroyed());
        server.close();
    }

    @Test
    @Catalog({146, 147})
    void the_connect_options_no_delay_and_keep_alive_are_applied_on_connect() throws Exception {
        // #146, #147: keepAliveInitialDelay in whole seconds, as Node's setKeepAlive(true, 456123 ms) -> 456 s
        BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        Server server = Net.createServer(s -> accepted.add(s.resume())).listen(0, "127.0.0.1");
        AtomicBoolean connected = new AtomicBoolean();
        Socket client = Net.connect(ConnectOptions.builder().port(server.address().port()).host("127.0.0.1")
                .noDelay(true).keepAlive(true).keepAliveInitialDelay(Duration.ofMillis(456_123)).build(),
                () -> connected.set(true));
        client.resume();
        Socket peer = accepted.poll(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(connected::get);
        assertEquals(true, option(client, StandardSocketOptions.TCP_NODELAY));
        assertEquals(true, option(client, StandardSocketOptions.SO_KEEPALIVE));
        assertEquals(456, ((LoomSocket) client).link.channel().getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        closeAll(client, peer, server);

        Server plain = Net.createServer(s -> accepted.add(s.resume())).listen(0, "127.0.0.1");
        AtomicBoolean plainConnected = new AtomicBoolean();
        Socket off = Net.connect(ConnectOptions.builder().port(plain.address().port()).host("127.0.0.1")
                .noDelay(false).keepAlive(false).build(), () -> plainConnected.set(true));
        off.resume();
        Socket offPeer = accepted.poll(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(plainConnected::get);
        assertEquals(false, option(off, StandardSocketOptions.TCP_NODELAY));
        assertEquals(false, option(off, StandardSocketOptions.SO_KEEPALIVE));
        closeAll(off, offPeer, plain);
    }

    @Test
    void set_keep_alive_with_a_null_delay_throws_err_invalid_arg_type_as_the_options_do() {
        Socket socket = Net.socket();
        NetException e = assertThrows(NetException.class, () -> socket.setKeepAlive(true, null));
        assertEquals(NetException.ERR_INVALID_ARG_TYPE, e.code());
        assertEquals(false, socket.destroyed());
        socket.destroy();
    }

    @Test
    @Catalog(147)
    void a_negative_keep_alive_initial_delay_is_taken_as_zero_as_node_does() throws Exception {       // #147
        // Node sets a negative keepAliveInitialDelay to 0 in the Socket and Server constructors, so that
        // connect({keepAlive: true, keepAliveInitialDelay: -123000}) calls setKeepAlive(true, 0), as 123 ms does:
        // the system's delay is left alone. Neither throws.
        Duration negative = Duration.ofMillis(-123_000);
        assertEquals(Duration.ZERO, SocketOptions.builder().keepAliveInitialDelay(negative).build()
                .keepAliveInitialDelay());
        assertEquals(Duration.ZERO, ServerOptions.builder().keepAliveInitialDelay(negative).build()
                .keepAliveInitialDelay());
        assertEquals(Duration.ZERO, ConnectOptions.builder().port(1).keepAliveInitialDelay(negative).build()
                .socketOptions().keepAliveInitialDelay());
        assertEquals(Duration.ZERO, new SocketOptions(false, false, true, negative, 1, null, null, null)
                .keepAliveInitialDelay());
        NetException nullDelay = assertThrows(NetException.class,
                () -> SocketOptions.builder().keepAliveInitialDelay(null));
        assertEquals(NetException.ERR_INVALID_ARG_TYPE, nullDelay.code());

        int systemDelay;
        try (SocketChannel fresh = SocketChannel.open()) {
            systemDelay = fresh.getOption(ExtendedSocketOptions.TCP_KEEPIDLE);
        }
        BlockingQueue<Integer> serverSide = new LinkedBlockingQueue<>();
        BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        Server server = Net.createServer(ServerOptions.builder().keepAlive(true)
                .keepAliveInitialDelay(Duration.ofMillis(-3_000)).build(), s -> {
            serverSide.add(((LoomSocket) s).link.channel().getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
            accepted.add(s.resume());
        }).listen(0, "127.0.0.1");
        // Node's cases: -123000 -> 0, 123 -> 0, undefined (not set here) -> 0
        for (Duration delay : java.util.Arrays.asList(negative, Duration.ofMillis(123), null)) {
            AtomicBoolean connected = new AtomicBoolean();
            ConnectOptions.Builder options = ConnectOptions.builder().port(server.address().port()).host("127.0.0.1")
                    .keepAlive(true);
            if (delay != null) {
                options.keepAliveInitialDelay(delay);
            }
            Socket client = Net.connect(options.build(), () -> connected.set(true));
            client.resume();
            Socket peer = accepted.poll(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(connected::get);
            assertEquals(true, option(client, StandardSocketOptions.SO_KEEPALIVE), String.valueOf(delay));
            assertEquals(systemDelay, ((LoomSocket) client).link.channel().getOption(ExtendedSocketOptions.TCP_KEEPIDLE),
                    String.valueOf(delay));
            assertEquals(systemDelay, serverSide.poll(30, TimeUnit.SECONDS), "the server's accepted socket");
            client.destroy();
            await().atMost(Duration.ofSeconds(30)).until(() -> client.destroyed() && peer.destroyed());
        }
        server.close();
    }
}
