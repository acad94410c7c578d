package dev.loomnet.loom;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Socket;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A client connection being made, on the connection's own thread: the lookup (emitting {@code LOOKUP}), the
 * attempts in Node's order with {@code autoSelectFamily} (each announced by the attempt events), the
 * {@code blockList} check and the local bind. It ends with a connected channel, or with the socket failed
 * (or with nothing, when the socket was destroyed or connected again meanwhile: then it stops quietly, as Node
 * ignores a closed handle's callbacks).
 *
 * <p>The events it causes are posted, not awaited, so that a socket created inside a listener connects while
 * that listener still runs: a blocking-style handler may connect a second socket and read from it at once.
 */
final class Connector {

    /** A connected channel and whether it is an IPv6 socket. */
    record Connected(SocketChannel channel, boolean v6) {
    }

    private final LoomSocket socket;
    private final Link link;
    private final ConnectOptions options;

    Connector(LoomSocket socket, Link link, ConnectOptions options) {
        this.socket = socket;
        this.link = link;
        this.options = options;
    }

    /** Connects; null when the socket was failed or left (see the class comment). */
    @Nullable Connected connect() throws Exception {
        if (options.isPath()) {
            SocketAddress target = java.net.UnixDomainSocketAddress.of(options.path());
            Attempt attempt = attempt(target, options, 0);
            if (attempt.channel == null) {
                if (attempt.error != null && connecting()) {
                    Closer.fail(socket, link, Errors.connect(attempt.error, target));
                }
                return null;
            }
            return new Connected(attempt.channel, false);
        }
        List<Lookup.Address> addresses = resolve(options);
        if (addresses.isEmpty()) {
            return null;                                  // the lookup failed; already reported
        }
        Attempt winner = connectAny(addresses, options);
        if (winner == null) {
            return null;
        }
        return new Connected(Objects.requireNonNull(winner.channel), winner.family == 6); // only connected ones
    }

    /**
     * Whether this is still the socket's connection being made: connecting, and not left behind by a
     * {@code destroy()} and a new {@code connect} (whose own thread then connects; this one must stop quietly).
     */
    private boolean connecting() {
        return link.life.phase() == Lifecycle.Phase.CONNECTING && socket.serves(link);
    }

    /** The outcome of one connect attempt. */
    private static final class Attempt {
        @Nullable SocketChannel channel;
        @Nullable IOException error;
        /** The local bind failed: Node's {@code bind} error, reported as it is. */
        @Nullable NetException bindError;
        boolean timedOut;
        int family;
    }

    /**
     * Tries the addresses in turn (alternating families with {@code autoSelectFamily}, each but the last with
     * the attempt timeout), emitting Node's attempt events; returns the winner, or null after failing the
     * socket (or when it was destroyed meanwhile).
     */
    private @Nullable Attempt connectAny(List<Lookup.Address> resolved, ConnectOptions options) throws Exception {
        boolean auto = options.autoSelectFamily() && options.localAddress() == null;
        List<Lookup.Address> order = auto ? interleave(resolved) : resolved.subList(0, 1);
        boolean multi = order.size() > 1;
        long attemptNanos = Timers.toNanos(options.autoSelectFamilyAttemptTimeout());
        int port = options.port();
        List<Throwable> failures = new ArrayList<>();
        Throwable firstError = null;
        for (int i = 0; i < order.size(); i++) {
            Lookup.Address a = order.get(i);
            String ip = a.address();
            int family = a.family();
            if (!connecting()) {
                return null;
            }
            NetException blocked = Connect.blockedByList(socket, ip, family);
            if (blocked != null) {
                Closer.fail(socket, link, blocked);
                return null;
            }
            socket.events.post(() -> Connect.emitAttempt(socket, Socket.CONNECTION_ATTEMPT, ip, port, family, null));
            if (multi) {
                Connect.attempted(socket, link, ip + ":" + port);
            }
            InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(ip), port);
            Attempt attempt = attempt(target, options, multi && i < order.size() - 1 ? attemptNanos : 0);
            attempt.family = family;
            if (attempt.channel != null) {
                return attempt;
            }
            if (!connecting()) {
                return null;                              // destroyed while connecting: no error, as Node
            }
            if (attempt.timedOut) {
                socket.events.post(() ->
                        Connect.emitAttempt(socket, Socket.CONNECTION_ATTEMPT_TIMEOUT, ip, port, family, null));
                continue;
            }
            NetException error = attempt.bindError != null ? attempt.bindError : Errors.connect(
                    attempt.error == null ? new IOException("connect failed") : attempt.error, target);
            failures.add(error);
            if (firstError == null) {
                firstError = error;
            }
            socket.events.post(() ->
                    Connect.emitAttempt(socket, Socket.CONNECTION_ATTEMPT_FAILED, ip, port, family, error));
        }
        if (failures.isEmpty()) {
            Closer.fail(socket, link,
                    new NetException(NetException.ERR_SOCKET_CONNECTION_TIMEOUT, "Socket connection timeout"));
        } else if (failures.size() == 1) {
            Closer.fail(socket, link, failures.get(0));
        } else {
            StringBuilder message = new StringBuilder();
            for (Throwable f : failures) {
                message.append(message.length() == 0 ? "" : "; ").append(f.getMessage());
            }
            NetException aggregate = new NetException(Errors.code(Objects.requireNonNull(firstError)),
                    message.toString(), "connect", null, port, null);
            failures.forEach(aggregate::addSuppressed);
            Closer.fail(socket, link, aggregate);
        }
        return null;
    }

    /** Node's order for autoSelectFamily: alternate families starting with the first result's, no duplicates. */
    static List<Lookup.Address> interleave(List<Lookup.Address> addresses) {
        List<Lookup.Address> first = new ArrayList<>();
        List<Lookup.Address> second = new ArrayList<>();
        int firstFamily = addresses.get(0).family();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Lookup.Address a : addresses) {
            if (seen.add(a.address())) {
                (a.family() == firstFamily ? first : second).add(a);
            }
        }
        List<Lookup.Address> out = new ArrayList<>(first.size() + second.size());
        for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
            if (i < first.size()) {
                out.add(first.get(i));
            }
            if (i < second.size()) {
                out.add(second.get(i));
            }
        }
        return out;
    }

    /** One blocking connect; a non-zero {@code timeoutNanos} has the timer close the channel when it passes. */
    private Attempt attempt(SocketAddress target, ConnectOptions options, long timeoutNanos) throws IOException {
        Attempt result = new Attempt();
        SocketChannel ch;
        try {
            ch = SocketChannel.open(familyOf(target));
        } catch (IOException e) {
            result.error = e;                             // EMFILE: a failed attempt, "connect EMFILE host:port"
            return result;
        }
        if (!Connect.attach(socket, link, ch)) {
            ch.close();
            return result;
        }
        if (!(target instanceof java.net.UnixDomainSocketAddress)) {
            result.bindError = LocalBind.bind(ch, options, familyOf(target) == StandardProtocolFamily.INET6);
            if (result.bindError != null) {
                closeQuietly(ch);
                return result;
            }
        }
        ChannelDeadline timer = timeoutNanos > 0 ? new ChannelDeadline(ch) : null;
        try {
            if (timer != null) {
                Timers.arm(timer, timeoutNanos);
            }
            ch.connect(target);
            result.channel = ch;
        } catch (IOException e) {
            closeQuietly(ch);
            result.error = e;
            result.timedOut = timer != null && timer.fired();
        } finally {
            if (timer != null) {
                Timers.cancel(timer);
            }
        }
        return result;
    }

    private static StandardProtocolFamily familyOf(SocketAddress target) {
        if (target instanceof java.net.UnixDomainSocketAddress) {
            return StandardProtocolFamily.UNIX;
        }
        return ((InetSocketAddress) target).getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET;
    }


    /** Resolves the host (emitting {@code lookup} per address), or returns the literal; empty after failing. */
    private List<Lookup.Address> resolve(ConnectOptions options) throws Exception {
        String host = options.host();
        int literal = Net.isIP(host);
        if (literal != 0) {
            return List.of(new Lookup.Address(host, literal));
        }
        List<Lookup.Address> found;
        try {
            Lookup custom = options.lookup();
            found = custom != null
                    ? EventQueue.outsideListeners(() -> custom.lookup(host, options.family(), options.hints()))
                    : defaultLookup(host, options.family(), options.hints());
            if (found == null || found.isEmpty()) {
                throw Errors.lookup(new UnknownHostException(host), host);
            }
            for (int i = 0; i < found.size(); i++) {       // not contains(null): List.of's throws
                if (found.get(i) == null) {
                    // a malformed answer is the lookup's failure: LOOKUP with it, then one ERROR, as a thrown one
                    throw new NetException(NetException.ERR_INVALID_ARG_TYPE, "The \"lookup\" result must "
                            + "contain only Lookup.Address values. Received null at index " + i);
                }
            }
        } catch (Exception e) {
            if (connecting()) {
                socket.events.post(() -> Connect.emitLookup(socket, e, null, 0, host));
                Closer.fail(socket, link, e);
            }
            return List.of();
        }
        if (!connecting()) {
            return List.of();                             // destroyed during the lookup (and maybe connected again)
        }
        boolean auto = options.autoSelectFamily() && options.localAddress() == null;
        List<Lookup.Address> used = auto ? found : found.subList(0, 1);
        for (Lookup.Address a : used) {
            socket.events.post(() -> Connect.emitLookup(socket, null, a.address(), a.family(), host));
            if (Net.isIP(a.address()) == 0) {
                Closer.fail(socket, link,
                        new NetException(NetException.ERR_INVALID_IP_ADDRESS, "Invalid IP address: " + a.address()));
                return List.of();
            }
            if (a.family() != 4 && a.family() != 6) {
                Closer.fail(socket, link, new NetException(NetException.ERR_INVALID_ADDRESS_FAMILY,
                        "Invalid address family: " + a.family() + " " + host + ":" + options.port(), null, host,
                        options.port(), null));
                return List.of();
            }
        }
        return used;
    }

    /** {@code getaddrinfo}'s answer, as Node's {@code dns.lookup(host, {family, hints, all: true})} gives it. */
    private static List<Lookup.Address> defaultLookup(String host, int family, int hints) throws IOException {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw Errors.lookup(e, host);
        }
        List<Lookup.Address> out = LookupHints.apply(all, family, hints);
        if (out.isEmpty()) {
            throw Errors.lookup(new UnknownHostException(host), host);
        }
        return out;
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
