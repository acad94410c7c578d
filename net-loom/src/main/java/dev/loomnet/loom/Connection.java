package dev.loomnet.loom;

import dev.loomnet.net.ConnectOptions;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything in this class runs on the connection's own virtual thread: resolving and connecting (clients),
 * then the read loop, which reads, emits {@code data} inline (no thread switch when the socket's events are
 * idle), waits while paused, and emits {@code end} at EOF. Reading never waits for writing.
 *
 * <p>Read buffer policy: one heap buffer per connection, sized adaptively between {@value #MIN_READ} and
 * {@value #MAX_READ} bytes: doubled when a read fills it, and cut to twice the size of the read (at least
 * {@value #MIN_READ}) when a read uses a quarter or less. A connection that goes idle after small messages
 * therefore parks with a small buffer, while a streaming one reads in large chunks. Each
 * {@code data} chunk is a fresh exact-size copy, which the listeners own.
 */
final class Connection {

    static final int MIN_READ = 512;
    static final int INITIAL_READ = 2048;
    static final int MAX_READ = 64 * 1024;

    private final LoomSocket socket;

    Connection(LoomSocket socket) {
        this.socket = socket;
    }

    void runAccepted(SocketChannel ch, boolean v6Socket) {
        try {
            if (!socket.established(ch, v6Socket)) {
                return;
            }
            rename(socket);
            socket.startWrites();                          // before the listener: it may block writing
            socket.events.runAndWait(socket::emitConnection);
            readLoop(ch);
        } catch (Throwable t) {
            socket.fail(t);
        }
    }

    void runClient(ConnectOptions options) {
        try {
            List<SocketAddress> targets = targets(options);
            if (targets.isEmpty()) {
                return;                                   // lookup failed; already reported
            }
            SocketChannel connected = null;
            SocketAddress connectedTarget = targets.get(0);
            IOException lastError = null;
            SocketAddress lastTarget = targets.get(0);
            for (SocketAddress target : targets) {
                if (socket.phase() != LoomSocket.Phase.CONNECTING) {
                    return;
                }
                SocketChannel ch = SocketChannel.open(LoomSocket.familyOf(target));
                if (!socket.attach(ch)) {
                    ch.close();
                    return;
                }
                try {
                    bindLocal(ch, options, target);
                    ch.connect(target);
                    connected = ch;
                    connectedTarget = target;
                    break;
                } catch (IOException e) {
                    if (socket.phase() != LoomSocket.Phase.CONNECTING) {
                        return;                           // destroyed while connecting: no error, as Node
                    }
                    closeQuietly(ch);
                    lastError = e;
                    lastTarget = target;
                }
            }
            if (connected == null) {
                socket.fail(Errors.connect(lastError == null ? new IOException("connect failed") : lastError,
                        lastTarget));
                return;
            }
            boolean v6 = LoomSocket.familyOf(connectedTarget) == StandardProtocolFamily.INET6;
            if (!socket.established(connected, v6)) {
                return;
            }
            rename(socket);
            if (socket.resetRequested()) {
                socket.resetAndDestroy();
                return;
            }
            socket.startWrites();                          // flush what was written while connecting
            socket.events.runAndWait(socket::emitConnected);
            readLoop(connected);
        } catch (Throwable t) {
            socket.fail(t);
        }
    }

    /** Resolves the host (emitting {@code lookup}) into the addresses to try, in order. */
    private List<SocketAddress> targets(ConnectOptions options) throws Exception {
        if (options.isPath()) {
            socket.markUnix(true);
            return List.of(LoomSocket.unixAddress(options.path()));
        }
        String host = options.host();
        int port = options.port();
        if (IpLiterals.isIp(host)) {
            return List.of(new InetSocketAddress(InetAddress.getByName(host), port));
        }
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            var error = Errors.lookup(e, host);
            socket.events.runAndWait(() -> socket.emitLookup(error, null, 0, host));
            socket.fail(error);
            return List.of();
        }
        List<InetAddress> usable = new ArrayList<>(Arrays.asList(all));
        if (options.family() == 4) {
            usable.removeIf(a -> !(a instanceof Inet4Address));
        } else if (options.family() == 6) {
            usable.removeIf(a -> !(a instanceof Inet6Address));
        }
        if (usable.isEmpty()) {
            var error = Errors.lookup(new UnknownHostException(host), host);
            socket.events.runAndWait(() -> socket.emitLookup(error, null, 0, host));
            socket.fail(error);
            return List.of();
        }
        List<SocketAddress> out = new ArrayList<>(usable.size());
        for (InetAddress a : usable) {
            String text = Addresses.text(a, false);
            int family = a instanceof Inet4Address ? 4 : 6;
            socket.events.runAndWait(() -> socket.emitLookup(null, text, family, host));
            out.add(new InetSocketAddress(a, port));
        }
        return out;
    }

    private static void bindLocal(SocketChannel ch, ConnectOptions options, SocketAddress target) throws IOException {
        if (options.localAddress() == null && options.localPort() == 0) {
            return;
        }
        InetAddress local = options.localAddress() == null ? null : InetAddress.getByName(options.localAddress());
        ch.bind(local == null ? new InetSocketAddress(options.localPort())
                : new InetSocketAddress(local, options.localPort()));
    }

    private void readLoop(SocketChannel ch) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(INITIAL_READ);
        for (;;) {
            if (!socket.awaitFlowing()) {
                return;
            }
            int n;
            socket.readLock.lock();
            try {
                if (!socket.flowing()) {
                    continue;                             // paused (or the input stream took over) meanwhile
                }
                n = ch.read(buffer);
            } catch (IOException e) {
                if (socket.phase() != LoomSocket.Phase.CLOSED) {
                    socket.fail(Errors.io(e, "read"));
                }
                return;
            } finally {
                socket.readLock.unlock();
            }
            if (n < 0) {
                if (socket.awaitFlowing()) {
                    socket.events.runAndWait(socket::emitEnd);
                }
                return;
            }
            if (n == 0) {
                continue;
            }
            socket.addBytesRead(n);
            byte[] chunk = Arrays.copyOf(buffer.array(), n);
            buffer = resize(buffer, n);
            if (!socket.awaitFlowing()) {
                return;
            }
            socket.events.runAndWait(() -> socket.emitData(chunk));
        }
    }

    private static ByteBuffer resize(ByteBuffer buffer, int n) {
        int cap = buffer.capacity();
        if (n == cap && cap < MAX_READ) {
            return ByteBuffer.allocate(cap * 2);
        }
        if (n <= cap / 4 && cap > MIN_READ) {
            return ByteBuffer.allocate(Math.max(MIN_READ, Integer.highestOneBit(n) * 2));
        }
        return buffer.clear();
    }

    private static void rename(LoomSocket socket) {
        Thread.currentThread().setName(Threads.PREFIX + "socket-" + socket.id + " " + socket.localAddress() + ":"
                + socket.localPort() + "<->" + socket.remoteAddress() + ":" + socket.remotePort());
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
