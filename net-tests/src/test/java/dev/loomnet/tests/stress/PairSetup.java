package dev.loomnet.tests.stress;

import static dev.loomnet.tests.stress.ChaosRun.waitSeconds;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.Net;
import dev.loomnet.net.OnRead;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.tests.stress.Scenario.Factory;
import dev.loomnet.tests.stress.Scenario.ReadMode;
import dev.loomnet.tests.stress.Scenario.Side;
import dev.loomnet.tests.stress.Scenario.SideConfig;
import dev.loomnet.tests.stress.Scenario.Trigger;
import dev.loomnet.testing.UncaughtExceptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Makes the pairs of a chaos run: listens, makes and connects each client (or, in the late groups, connects it
 * with no listener of the test's and attaches them afterwards), matches each accepted socket to its client, and
 * gives every socket its recorders, its read mode and the triggers of its listener operations. An accepted
 * socket may end, destroy, reset itself or greet its client first thing in its {@code CONNECTION} listener.
 */
final class PairSetup {

    private final Scenario scenario;
    private final Path dir;
    private final UncaughtExceptions uncaught;
    private final List<Peer> clients;
    private final List<Peer> servers;
    private final List<String> violations;
    private final Operations ops;
    private final AtomicInteger accepted = new AtomicInteger();
    private @Nullable Server listening;

    PairSetup(Scenario scenario, Path dir, UncaughtExceptions uncaught, List<Peer> clients, List<Peer> servers,
              List<String> violations, Operations ops) {
        this.scenario = scenario;
        this.dir = dir;
        this.uncaught = uncaught;
        this.clients = clients;
        this.servers = servers;
        this.violations = violations;
        this.ops = ops;
    }

    /** The server, once {@link #listen()} made it; null before. */
    @Nullable Server listening() {
        return listening;
    }

    /** How many connections the server accepted. */
    int accepted() {
        return accepted.get();
    }

    /** Makes the server and has it listen: on a Unix domain socket in the run's directory, or on 127.0.0.1. */
    Server listen() {
        SideConfig v = scenario.server();
        Server srv = Net.createServer(ServerOptions.builder().allowHalfOpen(v.allowHalfOpen())
                .highWaterMark(v.highWaterMark()).pauseOnConnect(v.pauseOnConnect()).build(), this::onConnection);
        srv.on(Server.ERROR, e -> violations.add("server ERROR " + e));
        listening = srv;
        if (scenario.unix()) {
            srv.listen(dir.resolve("chaos-" + scenario.seed() + ".sock"));
        } else {
            srv.listen(0, "127.0.0.1");
        }
        return srv;
    }

    /**
     * Connects pair {@code i}'s client: a new socket, or {@code reuse} again (reconnect), whose onread option
     * records into {@code current}'s peer.
     */
    Socket connect(Server srv, int i, @Nullable Socket reuse, AtomicReference<Peer> current) {
        SideConfig cfg = scenario.clients().get(i);
        Peer client = clients.get(i);
        Socket c = reuse;
        if (c == null) {
            SocketOptions.Builder options = SocketOptions.builder().allowHalfOpen(cfg.allowHalfOpen())
                    .highWaterMark(cfg.highWaterMark());
            if (cfg.mode() == ReadMode.ONREAD) {
                options.onread(PeerRecorder.onRead(cfg, scenario.seed() * 31 + i, current::get));
            }
            c = Net.socket(options.build());
        }
        // In reconnect scenarios the onread socket gets no watching DATA listener: it would decide, on its own,
        // whether the socket flows again after the reconnect.
        client.attach(c, null, !scenario.reconnect());
        readMode(client, c);
        triggers(client, c);
        if (scenario.unix()) {
            c.connect(Objects.requireNonNull(srv.address()).path());
        } else {
            c.connect(Objects.requireNonNull(srv.address()).port(), "127.0.0.1");
        }
        if (cfg.mode() == ReadMode.STREAM) {
            Socket s = c;
            client.helpers.add(Thread.ofVirtual().name("chaos-stream-writer").start(() -> ops.streamWriter(client, s)));
            client.helpers.add(Thread.ofVirtual().name("chaos-stream-reader").start(() -> ops.streamReader(client, s)));
        }
        return c;
    }

    /**
     * A client of the late groups: made and connected by its factory with no listener of the test's (but the
     * one passed to {@code connect}, if any); {@link #attachLate} adds them.
     */
    void connectLate(Server srv, int i) {
        SideConfig cfg = scenario.clients().get(i);
        Peer client = clients.get(i);
        @Nullable OnRead onread = cfg.mode() == ReadMode.ONREAD
                ? PeerRecorder.onRead(cfg, scenario.seed() * 31 + i, () -> client) : null;
        @Nullable Listener connected = cfg.connectCallback() ? client.recording::connectCallback : null;
        client.connectInTime = connected != null;
        client.late = true;
        Socket c;
        if (cfg.factory() == Factory.SOCKET) {
            SocketOptions.Builder options = SocketOptions.builder().allowHalfOpen(cfg.allowHalfOpen())
                    .highWaterMark(cfg.highWaterMark());
            if (onread != null) {
                options.onread(onread);
            }
            c = Net.socket(options.build());
            client.bind(c);
            if (scenario.unix()) {
                Path path = Objects.requireNonNull(srv.address()).path();
                c = connected == null ? c.connect(path) : c.connect(path, connected);
            } else {
                int port = Objects.requireNonNull(srv.address()).port();
                c = connected == null ? c.connect(port, "127.0.0.1") : c.connect(port, "127.0.0.1", connected);
            }
        } else {
            ConnectOptions.Builder options = ConnectOptions.builder().allowHalfOpen(cfg.allowHalfOpen())
                    .highWaterMark(cfg.highWaterMark());
            if (onread != null) {
                options.onread(onread);
            }
            if (scenario.unix()) {
                options.path(Objects.requireNonNull(srv.address()).path());
            } else {
                options.port(Objects.requireNonNull(srv.address()).port()).host("127.0.0.1");
            }
            if (cfg.factory() == Factory.LOOKUP) {
                options.host("chaos.test").lookup((host, family) -> List.of(new Lookup.Address("127.0.0.1", 4)));
            }
            ConnectOptions built = options.build();
            if (cfg.factory() == Factory.CREATE) {
                c = connected == null ? Net.createConnection(built) : Net.createConnection(built, connected);
            } else {
                c = connected == null ? Net.connect(built) : Net.connect(built, connected);
            }
        }
        client.bind(c);
    }

    /**
     * Attaches a late client's recorders, read mode and triggers from the test thread: right away, after a
     * short wait (bounded by a few milliseconds, or until read-ahead bytes or the FIN came), or once the
     * connection surely ended or failed, its server having ended, destroyed or reset it at once.
     */
    void attachLate(int i) throws InterruptedException {
        Peer client = clients.get(i);
        Socket c = client.socket();
        switch (scenario.clients().get(i).attach()) {
            case WAIT -> {
                if (!servers.get(i).ready.await(waitSeconds(), TimeUnit.SECONDS)) {
                    violations.add("C" + i + ": the server did not accept it within " + waitSeconds() + " s");
                }
                int millis = 1 + new SplittableRandom(scenario.seed() * 131 + i).nextInt(30);
                try {
                    Awaitility.await().atMost(Duration.ofMillis(millis)).pollInSameThread().pollDelay(Duration.ZERO)
                            .pollInterval(Duration.ofMillis(1)).until(() -> c.bytesRead() > 0 || !c.readable());
                } catch (ConditionTimeoutException e) {
                    // nothing came meanwhile: the point was only to let the connection run without listeners
                }
            }
            case SETTLED -> {
                // A half-open client stays open after the server's END until it ends itself. A listener operation
                // of the server's may have paused it meanwhile, and a paused socket holds END, as in Node.
                try {
                    Awaitility.await().atMost(Duration.ofSeconds(waitSeconds())).pollInSameThread()
                            .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                            .until(() -> c.destroyed() || (c.allowHalfOpen() && !c.readable()) || c.isPaused());
                } catch (ConditionTimeoutException e) {
                    violations.add("C" + i + " (nobody listening or reading) did not see its server's "
                            + scenario.servers().get(i).atOnce() + " within " + waitSeconds() + " s: "
                            + ChaosRun.state(client));
                }
            }
            default -> { }
        }
        // what had happened without listeners, for the report
        client.log.add("note:attached readyState=" + c.readyState() + (c.destroyed() ? " destroyed" : "")
                + (c.readable() ? "" : " read-ended") + " bytesRead=" + c.bytesRead());
        // The first reader starts the flow, and the bytes read ahead may be emitted before the next reader is
        // added: Node's readers of one tick all get the first chunk, a plain thread pauses to add several.
        ReadMode mode = client.config.mode();
        boolean readers = (mode == ReadMode.EVENTS || mode == ReadMode.PIPE) && (client.config.hasText()
                || scenario.listenerOps().stream().anyMatch(op -> op.pair() == i && op.triggerSide() == Side.C
                        && op.trigger() == Trigger.DATA));
        if (readers) {
            c.pause();
        }
        client.attach(c, null, true);
        readMode(client, c);
        triggers(client, c);
        if (readers) {
            client.resume(c);
        }
        client.readersAttached = true;
    }

    /** Starts the late group's refused clients: each connects to a port the run listened on and closed. */
    List<RefusedClient> refusedClients() {
        if (scenario.refused().isEmpty()) {
            return List.of();
        }
        Server gone = Net.createServer().listen(0, "127.0.0.1");
        int port;
        try {
            gone.when(Server.LISTENING).get(waitSeconds(), TimeUnit.SECONDS);
            port = Objects.requireNonNull(gone.address()).port();
            gone.close();
            gone.when(Server.CLOSE).get(waitSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the server for a closed port did not listen and close", e);
        }
        List<RefusedClient> out = new ArrayList<>();
        for (Scenario.Refused r : scenario.refused()) {
            RefusedClient c = new RefusedClient(r, port, uncaught);
            c.connect();
            out.add(c);
        }
        return out;
    }

    /**
     * The pair of the {@code n}-th accepted socket: the n-th when the pairs connect one after the other (or
     * there is one), else the one whose client's local port is the socket's remote port, once that client knows
     * it (its connection thread may not have recorded it yet); -1 if none.
     */
    private int pairOf(Socket s, int n) {
        if (scenario.pairs() == 1 || scenario.reconnect()) {
            return n < scenario.pairs() ? n : -1;
        }
        int port = s.remotePort();
        AtomicInteger found = new AtomicInteger(-1);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(waitSeconds())).pollInSameThread()
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
                        for (Peer c : clients) {
                            Socket cs = c.socketOrNull();
                            if (cs != null && cs.localPort() == port) {
                                found.set(c.pair);
                                return true;
                            }
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            return -1;
        }
        return found.get();
    }

    /** V's connection listener, on its connection thread, before any of its events. */
    private void onConnection(Socket s) throws Exception {
        int index = pairOf(s, accepted.getAndIncrement());
        if (index < 0 || servers.get(index).isReady()) {
            violations.add("the server accepted a connection no client of the scenario made (remote port "
                    + s.remotePort() + ")");
            s.destroy();
            return;
        }
        Peer server = servers.get(index);
        Server srv = Objects.requireNonNull(listening);
        server.attach(s, srv, true);
        readMode(server, s);
        triggers(server, s);
        server.ready.countDown();
        // First of all: a client that read ahead a byte stops reading until somebody reads it, and would not
        // see this end or reset with nobody listening.
        switch (server.config.atOnce()) {
            case END -> {
                server.writeLock.lock();
                try {
                    server.markEnd();
                    s.end();
                } finally {
                    server.writeLock.unlock();
                }
            }
            case DESTROY -> {
                server.violated = true;
                s.destroy();
            }
            case RESET -> {
                server.violated = true;
                s.resetAndDestroy();
            }
            case GREET -> Operations.write(server, s, ops.greeting(server.pair), false);
            case GREET_END -> {
                byte[] data = ops.greeting(server.pair);
                server.writeLock.lock();
                try {
                    server.appendWrite(data, false);
                    server.endDataOps.incrementAndGet();
                    server.markEnd();
                    s.end(data);
                } finally {
                    server.writeLock.unlock();
                }
            }
            case NONE -> { }
        }
        ops.fire(server, Trigger.CONNECT, 1);
        if (server.config.mode() == ReadMode.STREAM) {
            if (server.config.streamInline()) {
                // The blocking style as LineServer uses it: straight-line code in the connection listener,
                // with the socket's events held until it returns.
                ops.streamWriter(server, s);
                ops.streamReader(server, s);
            } else {
                server.helpers.add(Thread.ofVirtual().name("chaos-stream-writer")
                        .start(() -> ops.streamWriter(server, s)));
                server.helpers.add(Thread.ofVirtual().name("chaos-stream-reader")
                        .start(() -> ops.streamReader(server, s)));
            }
        }
    }

    private void readMode(Peer p, Socket s) {
        p.dataTrigger = dataTrigger(p);
        switch (p.config.mode()) {
            case PIPE -> {
                PipeRecorder recorder = new PipeRecorder(p, p::fireData);
                p.recorder = recorder;
                s.pipe(recorder);
            }
            case ECHO -> s.pipe(s);
            default -> { }                               // EVENTS, TEXT: Peer.attach added the recorders
        }
    }

    private Listener dataTrigger(Peer p) {
        AtomicInteger n = new AtomicInteger();
        return () -> ops.fire(p, Trigger.DATA, n.incrementAndGet());
    }

    /** Listeners that fire the listener operations triggered by {@code p}'s events. */
    private void triggers(Peer p, Socket s) {
        for (Trigger t : Trigger.values()) {
            if (scenario.listenerOps().stream().noneMatch(op -> op.pair() == p.pair && op.triggerSide() == p.side
                    && op.trigger() == t)) {
                continue;
            }
            AtomicInteger n = new AtomicInteger();
            Listener l = () -> ops.fire(p, t, n.incrementAndGet());
            switch (t) {
                case CONNECT -> {
                    if (p.side == Side.C) {
                        p.on(s, Socket.CONNECT, l);
                    }                                    // V: run by onConnection
                }
                case DATA -> {
                    if (p.config.mode() == ReadMode.EVENTS) {
                        p.on(s, Socket.DATA, chunk -> p.fireData());
                    }                                    // the recorder, TEXT listener or onread fire the others
                }
                case DRAIN -> p.on(s, Socket.DRAIN, l);
                case END -> p.on(s, Socket.END, l);
                case FINISH -> p.on(s, Socket.FINISH, l);
                case TIMEOUT -> p.on(s, Socket.TIMEOUT, l);
            }
        }
    }
}
