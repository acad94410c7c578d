package dev.loomnet.loom;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.DropInfo;
import dev.loomnet.net.NetException;
import dev.loomnet.net.ServerOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The body of a listening server's accept thread: takes connections from the channel until it closes, and for
 * each decides as Node does: closed before {@code CONNECTION} when the {@code blockList} blocks its address,
 * reset when an IPv4 client reaches an {@code ipv6Only} server, dropped with {@code DROP} beyond
 * {@code maxConnections}, else a new socket ({@link Connect#accepted}). A failed {@code accept} is
 * {@link AcceptRetry}'s: out of descriptors, the waiting clients are closed and the loop pauses instead of
 * spinning.
 */
final class AcceptLoop implements Runnable {

    private final LoomServer server;
    private final ServerOptions options;
    private final ServerSocketChannel channel;
    private final boolean v6;
    private final boolean ipv6Only;

    AcceptLoop(LoomServer server, ServerOptions options, ServerSocketChannel channel, boolean v6, boolean ipv6Only) {
        this.server = server;
        this.options = options;
        this.channel = channel;
        this.v6 = v6;
        this.ipv6Only = ipv6Only;
    }

    @Override
    public void run() {
        DescriptorReserve.ensure();                       // before the descriptors can run out
        AcceptRetry retry = new AcceptRetry(channel);
        while (channel.isOpen()) {
            SocketChannel accepted;
            try {
                accepted = channel.accept();
            } catch (IOException e) {
                if (!channel.isOpen()) {
                    return;
                }
                NetException error = retry.failed(e);    // out of descriptors: the waiting clients are closed
                if (error != null) {
                    server.acceptFailed(error);
                }
                continue;
            }
            retry.succeeded();
            if (blocked(accepted)) {
                closeQuietly(accepted);                   // Node: closed before 'connection', no event
                continue;
            }
            if (ipv6Only && isIpv4Peer(accepted)) {
                reset(accepted);
                continue;
            }
            LoomSocket socket = server.admit();
            if (socket == null) {
                drop(accepted);
                continue;
            }
            Connect.accepted(socket, accepted, v6, options.pauseOnConnect());
        }
    }

    private boolean blocked(SocketChannel ch) {
        dev.loomnet.net.BlockList list = options.blockList();
        if (list == null) {
            return false;
        }
        try {
            return ch.getRemoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
                    && list.check(inet.getAddress());
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isIpv4Peer(SocketChannel ch) {
        try {
            return ch.getRemoteAddress() instanceof InetSocketAddress inet
                    && inet.getAddress() instanceof java.net.Inet4Address;
        } catch (IOException e) {
            return false;
        }
    }

    private static void reset(SocketChannel ch) {
        try (ch) {
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException ignored) {
            // gone already
        }
    }

    /** Node's maxConnections rule: accept, close at once, emit DROP with the addresses (none for Unix). */
    private void drop(SocketChannel ch) {
        DropInfo info = null;
        try {
            AddressInfo local = Addresses.info(ch.getLocalAddress(), v6);
            AddressInfo remote = Addresses.info(ch.getRemoteAddress(), v6);
            if (local != null && remote != null && !local.isUnix()) {
                info = new DropInfo(local.address(), local.port(), local.family(), remote.address(), remote.port(),
                        remote.family());
            }
        } catch (IOException ignored) {
            // the peer is gone already; drop without addresses
        }
        closeQuietly(ch);
        server.emitDrop(info);
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
