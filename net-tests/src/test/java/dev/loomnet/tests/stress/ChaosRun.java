package dev.loomnet.tests.stress;

import dev.loomnet.net.Callback;
import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Event;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.Net;
import dev.loomnet.net.OnRead;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.tests.stress.Scenario.Attach;
import dev.loomnet.tests.stress.Scenario.Factory;
import dev.loomnet.tests.stress.Scenario.Kind;
import dev.loomnet.tests.stress.Scenario.Op;
import dev.loomnet.tests.stress.Scenario.ReadMode;
import dev.loomnet.tests.stress.Scenario.Side;
import dev.loomnet.tests.stress.Scenario.SideConfig;
import dev.loomnet.tests.stress.Scenario.Trigger;
import dev.loomnet.testing.UncaughtExceptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Runs one {@link Scenario} on real loopback pairs and returns what went wrong.
 *
 * <p>The order of a run: listen; create each client with its recorders and triggers and {@code connect()}; start
 * the second thread; run the test thread's operations (the first ones usually while the clients are still
 * connecting); join the second thread; then the <em>finale</em>, which makes sure the pairs can settle whatever
 * the operations did: every socket that reads by events is resumed and every socket that may be ended is
 * ended. Then wait (bounded) for every {@code CLOSE} event and every callback, toggle the options of the closed
 * sockets, close the server, and check {@link Invariants} for each pair. Listener operations keep firing during
 * the finale, except {@code pause()}, which the finale locks out: a pause after the finale's {@code resume()}
 * would leave a socket that never reads its peer's FIN. A {@code reconnect} scenario runs all this once per pair,
 * one pair after the other, connecting the same client socket again once its {@code CLOSE} was emitted.
 *
 * <p>In the late groups ({@code late}, {@code quiet}) a client may instead be made and connected with no
 * listener of the test's; once every client is connected, the test thread attaches each one's recorders, read
 * mode and triggers ({@link #attachLate}), and the {@code late} group's refused clients run beside the pairs
 * ({@link RefusedClient}). An accepted socket may end, destroy, reset itself or greet its client first thing in
 * its {@code CONNECTION} listener, so that the client's events come before its listeners.
 *
 * <p>Operations that destroy or end a socket first wait until the server accepted V: a client destroyed before
 * its handshake completes (by a {@code destroy()}, or by a write after {@code end()}) may never reach the
 * server, and the pair could not be checked.
 */
final class ChaosRun {

    /**
     * Scenarios that failed in this JVM. A healthy pair settles in milliseconds, so the bounds below are generous;
     * but a regression that breaks every scenario would then cost the full bounds 200 times over. After a few
     * failures the bounds are cut short, so that a broken build still fails within minutes.
     */
    private static final AtomicInteger FAILED_RUNS = new AtomicInteger();

    /** Bound of every wait for the pair: 10 s, or 2 s once three scenarios failed. */
    static int waitSeconds() {
        return FAILED_RUNS.get() < 3 ? 10 : 2;
    }

    /** How many scenarios failed in this JVM ({@link ChaosTest} skips the rest after ten). */
    static int failedRuns() {
        return FAILED_RUNS.get();
    }
    /** Bound of one {@code AWAIT} operation. */
    static final int AWAIT_MILLIS = 20;

    /** The events a {@code WHEN} operation waits for, and their names in the logs. */
    static final List<Event.Valued<Socket, ?, ?>> WHEN_EVENTS = List.of(Socket.CONNECT, Socket.READY, Socket.END,
            Socket.FINISH, Socket.CLOSE, Socket.ERROR);
    static final List<String> WHEN_NAMES = List.of("connect", "ready", "end", "finish", "close", "error");
    /** The id of the bytes a greeting server writes at once ({@code AtOnce.GREET}), plus the pair's index. */
    private static final int GREETING = 900_000;
    /** Bound of a {@code WHEN} operation whose event may never come. */
    static final int WHEN_MILLIS = 20;

    /** The errors the test passes to {@code destroy(error)} or throws from listeners; no stack trace. */
    static final class ChaosError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ChaosError(String message) {
            super(message, null, false, false);
        }
    }

    /** A {@code server.getConnections(cb)} call and what its callback got. */
    private static final class CountCall {
        final int op;
        final AtomicInteger calls = new AtomicInteger();
        volatile int count = -1;
        volatile @Nullable Throwable error;

        CountCall(int op) {
            this.op = op;
        }
    }

    private final Scenario scenario;
    private final Path dir;
    private final UncaughtExceptions uncaught;
    /** Each pair's client and accepted socket; for reconnect, the clients share one socket, one after the other. */
    private final List<Peer> clients = new ArrayList<>();
    private final List<Peer> servers = new ArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    /** What became of each listener operation: fired, skipped. */
    private final Map<Integer, String> opStatus = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock finaleLock = new ReentrantReadWriteLock();
    /** The pairs whose finale began; guarded by {@link #finaleLock}. */
    private final boolean[] finale;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<CountCall> countCalls = new CopyOnWriteArrayList<>();
    private @Nullable Server listening;

    ChaosRun(Scenario scenario, Path dir, UncaughtExceptions uncaught) {
        this.scenario = scenario;
        this.dir = dir;
        this.uncaught = uncaught;
        for (int i = 0; i < scenario.pairs(); i++) {
            clients.add(new Peer(Side.C, i, scenario.clients().get(i)));
            servers.add(new Peer(Side.V, i, scenario.servers().get(i)));
        }
        this.finale = new boolean[scenario.pairs()];
    }

    private Peer peer(int pair, Side side) {
        return side == Side.C ? clients.get(pair) : servers.get(pair);
    }

    private List<Peer> peers() {
        List<Peer> all = new ArrayList<>(clients);
        all.addAll(servers);
        return all;
    }

    private List<Peer> peers(List<Integer> pairs) {
        List<Peer> out = new ArrayList<>();
        for (int i : pairs) {
            out.add(clients.get(i));
            out.add(servers.get(i));
        }
        return out;
    }

    /** Runs the scenario; returns the failure report, or null if every invariant held. */
    @Nullable String run() {
        try {
            Server srv = listen();
            if (scenario.reconnect()) {
                Socket c = null;
                AtomicReference<Peer> current = new AtomicReference<>(clients.get(0));
                for (int i = 0; i < scenario.pairs() && violations.isEmpty(); i++) {
                    if (i > 0) {
                        Peer previous = clients.get(i - 1);
                        previous.detach();                // its connection closed; the next peer records the next
                        joinHelpers(List.of(previous));   // an onread helper's late resume() would be the next's
                        previous.snapshot();
                        clients.get(i).timeoutSet = previous.timeoutSet;   // the timeout is the socket's, kept
                        clients.get(i).textCarried = clients.subList(0, i).stream()
                                .anyMatch(earlier -> earlier.config.hasText() && !earlier.log.contains("end"));
                        current.set(clients.get(i));
                    }
                    c = connect(srv, i, c, current);
                    round(List.of(i));
                }
            } else {
                List<RefusedClient> refused = refusedClients();
                for (int i = 0; i < scenario.pairs(); i++) {
                    if (scenario.clients().get(i).attach() == Attach.EARLY) {
                        connect(srv, i, null, new AtomicReference<>(clients.get(i)));
                    } else {
                        connectLate(srv, i);
                    }
                }
                for (int i = 0; i < scenario.pairs(); i++) {
                    if (scenario.clients().get(i).attach() != Attach.EARLY) {
                        attachLate(i);
                    }
                }
                refused.forEach(RefusedClient::attach);
                round(java.util.stream.IntStream.range(0, scenario.pairs()).boxed().toList());
                refused.forEach(c -> c.check(violations));
            }
            toggleClosed();
            joinHelpers(peers());
            awaitCallbacks();
            closeServer(srv);
            thrownErrors();
            countCalls();
            for (int i = 0; i < scenario.pairs(); i++) {
                if (clients.get(i).isReady() && servers.get(i).isReady()) {
                    Invariants.check(scenario, clients.get(i), servers.get(i), violations);
                } else if (violations.isEmpty()) {
                    violations.add("pair " + i + " never connected");
                }
            }
        } catch (Throwable t) {
            violations.add("the run failed: " + t);
            rescue();
        } finally {
            if (listening != null && listening.listening()) {
                listening.close();
            }
        }
        if (violations.isEmpty()) {
            return null;
        }
        FAILED_RUNS.incrementAndGet();
        return report();
    }

    /** The operations of {@code pairs} on the two threads, then their finale and their closing. */
    private void round(List<Integer> pairs) throws InterruptedException {
        Thread second = Thread.ofVirtual().name("chaos-second").start(() -> runAll(scenario.threadOps(), pairs));
        try {
            runAll(scenario.testOps(), pairs);
            second.join(Duration.ofSeconds(waitSeconds()));
            if (second.isAlive()) {
                violations.add("the second thread's operations did not finish within " + waitSeconds() + " s");
            }
            finale(pairs);
            if (!awaitClosed(peers(pairs), waitSeconds())) {
                violations.add("the pairs " + pairs + " did not settle within " + waitSeconds() + " s: "
                        + peers(pairs).stream().map(ChaosRun::state).toList());
                rescue();
            } else {
                for (int i : pairs) {
                    whenAfterClose(clients.get(i));
                }
            }
        } finally {
            if (second.isAlive()) {
                second.interrupt();
            }
        }
    }

    /**
     * Once every socket closed: {@code setKeepAlive}, {@code setNoDelay}, {@code setTimeout(0)},
     * {@code ref()} and {@code unref()} on them must neither throw nor emit (no event after CLOSE).
     */
    private void toggleClosed() {
        SplittableRandom r = new SplittableRandom(scenario.seed());
        for (Peer p : peers()) {
            Socket s = p.socketOrNull();
            if (s == null || !s.destroyed()) {
                continue;
            }
            try {
                for (int i = 0; i < 3; i++) {
                    if (r.nextBoolean()) {
                        s.unref();
                    } else {
                        s.ref();
                    }
                    s.setKeepAlive(r.nextBoolean(), Duration.ofSeconds(r.nextInt(3)));
                    s.setNoDelay(r.nextBoolean());
                }
                s.setTimeout(Duration.ZERO);
                s.ref();
            } catch (Throwable t) {
                violations.add(p.side + "" + p.pair + ": an option toggle on the closed socket threw " + t);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // set-up

    private Server listen() {
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
    private Socket connect(Server srv, int i, @Nullable Socket reuse, AtomicReference<Peer> current) {
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
            client.helpers.add(Thread.ofVirtual().name("chaos-stream-writer").start(() -> streamWriter(client, s)));
            client.helpers.add(Thread.ofVirtual().name("chaos-stream-reader").start(() -> streamReader(client, s)));
        }
        return c;
    }

    /**
     * A client of the late groups: made and connected by its factory with no listener of the test's (but the
     * one passed to {@code connect}, if any); {@link #attachLate} adds them.
     */
    private void connectLate(Server srv, int i) {
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
    private void attachLate(int i) throws InterruptedException {
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
                // A half-open client stays open after the server's END until it ends itself.
                try {
                    Awaitility.await().atMost(Duration.ofSeconds(waitSeconds())).pollInSameThread()
                            .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                            .until(() -> c.destroyed() || (c.allowHalfOpen() && !c.readable()));
                } catch (ConditionTimeoutException e) {
                    violations.add("C" + i + " (nobody listening or reading) did not see its server's "
                            + scenario.servers().get(i).atOnce() + " within " + waitSeconds() + " s: " + state(client));
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
    private List<RefusedClient> refusedClients() {
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
            case GREET -> write(server, s, greeting(server.pair), false);
            case GREET_END -> {
                byte[] data = greeting(server.pair);
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
        fire(server, Trigger.CONNECT, 1);
        if (server.config.mode() == ReadMode.STREAM) {
            if (server.config.streamInline()) {
                // The blocking style as LineServer uses it: straight-line code in the connection listener,
                // with the socket's events held until it returns.
                streamWriter(server, s);
                streamReader(server, s);
            } else {
                server.helpers.add(Thread.ofVirtual().name("chaos-stream-writer").start(() -> streamWriter(server, s)));
                server.helpers.add(Thread.ofVirtual().name("chaos-stream-reader").start(() -> streamReader(server, s)));
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
        return () -> fire(p, Trigger.DATA, n.incrementAndGet());
    }

    /** Listeners that fire the listener operations triggered by {@code p}'s events. */
    private void triggers(Peer p, Socket s) {
        for (Trigger t : Trigger.values()) {
            if (scenario.listenerOps().stream().noneMatch(op -> op.pair() == p.pair && op.triggerSide() == p.side
                    && op.trigger() == t)) {
                continue;
            }
            AtomicInteger n = new AtomicInteger();
            Listener l = () -> fire(p, t, n.incrementAndGet());
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

    /** Runs the listener operations of the {@code nth} {@code trigger} of {@code p}, inside its listener. */
    private void fire(Peer p, Trigger trigger, int nth) {
        for (Op op : scenario.listenerOps()) {
            if (op.pair() == p.pair && op.triggerSide() == p.side && op.trigger() == trigger && op.nth() == nth) {
                opStatus.put(op.id(), "fired");
                if (op.kind() == Kind.THROW) {
                    ChaosError e = new ChaosError("thrown by op #" + op.id());
                    p.violated = true;
                    p.ownErrors.add(e);
                    p.thrown.add(e);
                    throw e;                              // destroys p: ERROR with e, CLOSE(true)
                }
                runGuarded(op);
            }
        }
    }

    private void runAll(List<Op> ops, List<Integer> pairs) {
        for (Op op : ops) {
            if (pairs.contains(op.pair())) {
                runGuarded(op);
            }
        }
    }

    private void runGuarded(Op op) {
        try {
            execute(op);
        } catch (Throwable t) {
            violations.add(op.describe() + " threw " + t);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // operations

    private void execute(Op op) throws Exception {
        Peer p = peer(op.pair(), op.target());
        if (op.kind().violent() || op.kind() == Kind.END || op.kind() == Kind.END_DATA) {
            // The pair must exist before it is torn down: a client destroyed before its handshake completed
            // may never reach the server. An end counts too, as a write after it destroys the socket.
            servers.get(op.pair()).socket();
        }
        if (op.kind().violent()) {
            p.violated = true;
        }
        if (op.kind() == Kind.AWAIT) {
            int before = p.log.size();
            try {
                Awaitility.await().atMost(Duration.ofMillis(AWAIT_MILLIS)).pollInSameThread()
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> p.log.size() > before || p.closed.getCount() == 0);
            } catch (ConditionTimeoutException e) {
                // nothing happened meanwhile: fine, the point was only to let time pass
            }
            return;
        }
        Socket s = p.socket();
        switch (op.kind()) {
            case WRITE -> write(p, s, bytes(op.id(), op.size()), op.callback());
            case WRITE_STRING -> writeString(p, s, op);
            case WRITE_TEXT -> writeText(p, s, op);
            case CORK -> s.cork();
            case UNCORK -> s.uncork();
            case PAUSE -> {
                finaleLock.readLock().lock();
                try {
                    if (finale[op.pair()]) {
                        opStatus.put(op.id(), "skipped: after the finale");
                    } else {
                        s.pause();
                    }
                } finally {
                    finaleLock.readLock().unlock();
                }
            }
            case RESUME -> {
                if (p.late && !p.readersAttached) {
                    // a listener operation of V's: flowing with no reader yet, the bytes would go to nobody
                    opStatus.put(op.id(), "skipped: C has no reader yet");
                } else {
                    p.resume(s);
                }
            }
            case END -> {
                p.writeLock.lock();
                try {
                    p.markEnd();
                    if (op.callback()) {
                        Peer.Cb cb = p.endCallback(op.id());
                        cb.notWritableAtCall = !s.writable();
                        s.end(p.callback(cb));
                        cb.issuedWhileOpen = !s.destroyed();
                    } else {
                        s.end();
                    }
                } finally {
                    p.writeLock.unlock();
                }
            }
            case END_DATA -> {
                byte[] data = bytes(op.id(), op.size());
                p.writeLock.lock();
                try {
                    p.lateEndBefore(s);
                    p.appendWrite(data, false);
                    p.endDataOps.incrementAndGet();
                    p.markEnd();
                    if (op.callback()) {
                        Peer.Cb cb = p.endCallback(op.id());
                        cb.notWritableAtCall = !s.writable();
                        s.end(data, p.callback(cb));
                        cb.issuedWhileOpen = !s.destroyed();
                    } else {
                        s.end(data);
                    }
                } finally {
                    p.writeLock.unlock();
                }
            }
            case DESTROY -> s.destroy();
            case DESTROY_ERROR -> {
                ChaosError e = new ChaosError("destroy(error) by op #" + op.id());
                p.ownErrors.add(e);
                s.destroy(e);
            }
            case RESET -> s.resetAndDestroy();
            case DESTROY_SOON -> s.destroySoon();
            case SET_TIMEOUT -> {
                if (op.arg() > 0) {
                    p.timeoutSet = true;
                }
                s.setTimeout(Duration.ofMillis(op.arg()));
            }
            case SET_NODELAY -> s.setNoDelay(op.arg() != 0);
            case SET_KEEPALIVE -> {
                if (op.arg() > 1) {
                    s.setKeepAlive(true, Duration.ofSeconds(op.arg()));
                } else {
                    s.setKeepAlive(op.arg() != 0);
                }
            }
            case REF -> s.ref();
            case UNREF -> s.unref();
            case SET_ENCODING -> s.setEncoding(Scenario.CHARSETS.get(p.config.charset()));
            case UNPIPE -> unpipe(p, s, op);
            case GET_CONNECTIONS -> {
                CountCall call = new CountCall(op.id());
                countCalls.add(call);
                Objects.requireNonNull(listening).getConnections((error, count) -> {
                    if (call.calls.incrementAndGet() == 1) {
                        call.error = error;
                        call.count = count;
                    }
                });
            }
            case WHEN -> when(p, s, op);
            case AWAIT, THROW -> throw new AssertionError("handled above");
        }
    }

    /**
     * {@code s.when(event)} awaited with a bounded {@code get}, checked against what the recorder (whose
     * listeners were added before) heard. Completed: the recorder heard the event already, with the same value.
     * Failed: with the very error the recorder heard. Timed out: the future's listeners are gone again. On a
     * client attached late, an event (or ERROR) its recorder heard before this call was kept, so the future must
     * get it: it is awaited for the full bound then, and a timeout is a failure. Only the test thread runs this,
     * so nothing else adds or removes lifecycle listeners meanwhile, but a pipe's unpipe (END and CLOSE).
     */
    private void when(Peer p, Socket s, Op op) throws InterruptedException {
        Event.Valued<Socket, ?, ?> event = WHEN_EVENTS.get(op.arg());
        String name = WHEN_NAMES.get(op.arg());
        String who = "#" + op.id() + " " + p.side + p.pair + ".when(" + name + ")";
        boolean heardBefore = firstIndex(List.copyOf(p.log), name) >= 0;
        boolean errorBefore = !p.errors.isEmpty();
        boolean kept = p.late && (errorBefore || (heardBefore && !(event == Socket.CONNECT && p.connectInTime)));
        int eventListeners = s.listenerCount(event);
        int errorListeners = s.listenerCount(Socket.ERROR);
        CompletableFuture<?> future = s.when(event);
        String outcome;
        try {
            Object value = future.get(kept ? waitSeconds() * 1000L : WHEN_MILLIS, TimeUnit.MILLISECONDS);
            outcome = "completed";
            if (event == Socket.ERROR) {
                if (p.errors.stream().noneMatch(e -> e == value)) {
                    violations.add(who + " completed with " + value + ", which the recorder did not hear first");
                }
            } else {
                String logged = event == Socket.CLOSE ? "close:" + value : name;
                if (!p.log.contains(logged)) {
                    violations.add(who + " completed with " + value + " before the recorder heard " + logged);
                }
            }
            awaitListeners(who, s, event, eventListeners, errorListeners);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            outcome = "failed";
            if (event == Socket.ERROR || p.errors.stream().noneMatch(x -> x == cause)) {
                violations.add(who + " failed with " + cause + "; the recorder heard " + p.errors);
            }
            List<String> log = List.copyOf(p.log);
            int at = firstIndex(log, name);
            int error = firstIndex(log, "error");
            if (kept && at >= 0 && at < error) {
                violations.add(who + " failed with " + cause + " though " + name + " came before ERROR and was kept");
            }
            awaitListeners(who, s, event, eventListeners, errorListeners);
        } catch (TimeoutException e) {
            outcome = "timed out";
            if (kept) {
                violations.add(who + " did not complete within " + waitSeconds() + " s, though its recorder, added"
                        + " after connect() like it, had heard " + (heardBefore ? name : "ERROR") + " already");
            }
            // A timed-out get cancels the future, and the cancel removed both listeners before get threw.
            if (s.listenerCount(event) > eventListeners || s.listenerCount(Socket.ERROR) != errorListeners) {
                violations.add(who + " timed out but left listeners: " + name + " " + eventListeners + " -> "
                        + s.listenerCount(event) + ", error " + errorListeners + " -> " + s.listenerCount(Socket.ERROR));
            }
        }
        p.log.add("note:when:" + name + ":" + outcome);
    }

    /**
     * Once a late client closed, everything its recorder heard was kept, so {@code when} must agree with the
     * recorder at once, for each lifecycle event it heard and for ERROR: complete with the event's value if it
     * came before any ERROR, else fail with that very error. (Not CONNECT if only the listener passed to
     * {@code connect} heard it: that emission is not kept.)
     */
    private void whenAfterClose(Peer p) throws InterruptedException {
        Socket s = p.socketOrNull();
        if (!p.late || s == null) {
            return;
        }
        List<String> log = List.copyOf(p.log);
        int error = firstIndex(log, "error");
        for (int k = 0; k < WHEN_EVENTS.size(); k++) {
            String name = WHEN_NAMES.get(k);
            int at = firstIndex(log, name);
            if (at < 0 && error < 0 || (WHEN_EVENTS.get(k) == Socket.CONNECT && p.connectInTime)) {
                continue;                                 // never emitted: the future would wait for good
            }
            String who = p.side + "" + p.pair + ".when(" + name + ") after CLOSE";
            Object expected = name.equals("error") || (error >= 0 && (at < 0 || at > error)) ? p.errors.get(0)
                    : name.equals("close") ? Boolean.valueOf(log.get(at).equals("close:true")) : null;
            Object got;
            try {
                got = s.when(WHEN_EVENTS.get(k)).get(waitSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                got = e.getCause();
            } catch (TimeoutException e) {
                violations.add(who + " did not complete within " + waitSeconds() + " s; the recorder heard " + log);
                continue;
            }
            if (expected instanceof Throwable ? got != expected : !Objects.equals(got, expected)) {
                violations.add(who + " gave " + got + ", not " + expected + " as the recorder's log says: " + log);
            }
        }
    }

    /** The first entry of {@code log} that is the event {@code name} (with its value, if it has one), or -1. */
    private static int firstIndex(List<String> log, String name) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).equals(name) || log.get(i).startsWith(name + ":")) {
                return i;
            }
        }
        return -1;
    }

    /** The listeners a completed {@code when} future added are removed as it completes, maybe on another thread. */
    private void awaitListeners(String who, Socket s, Event.Valued<Socket, ?, ?> event, int eventListeners,
                                int errorListeners) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(waitSeconds())).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1)).until(() -> s.listenerCount(event) <= eventListeners
                            && s.listenerCount(Socket.ERROR) == errorListeners);
        } catch (ConditionTimeoutException e) {
            violations.add(who + " completed but left listeners: " + eventListeners + " -> " + s.listenerCount(event)
                    + ", error " + errorListeners + " -> " + s.listenerCount(Socket.ERROR));
        }
    }

    /**
     * Node's switch from a pipe to reading directly: {@code unpipe} (which pauses the socket), a DATA listener
     * that records into the same place, {@code resume()}. Not a byte may be lost or recorded twice across it.
     * Once per socket; a later UNPIPE only calls {@code unpipe} again, which must change nothing.
     */
    private void unpipe(Peer p, Socket s, Op op) throws InterruptedException {
        if (p.recorder == null && !p.ready.await(waitSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(p.side + " never set up");   // V is attached before its pipe is made
        }
        PipeRecorder recorder = Objects.requireNonNull(p.recorder);
        boolean first = p.unpipeClaimed.compareAndSet(false, true);
        if (op.arg() == 0) {
            s.unpipe(recorder);
        } else {
            s.unpipe();
        }
        if (!first) {
            return;
        }
        p.unpiped = true;
        p.on(s, Socket.DATA, chunk -> {
            p.received(chunk);
            p.fireData();
        });
        p.resume(s);
    }

    private static void write(Peer p, Socket s, byte[] data, boolean withCallback) {
        p.writeLock.lock();
        try {
            long offset = p.lateEndBefore(s);
            Peer.Cb cb = p.appendWrite(data, withCallback);
            p.issued(cb);
            boolean below = cb == null ? s.write(data) : s.write(data, p.callback(cb));
            recordWrite(p, s, cb, below);
            p.lateEndAfter(s, offset);
        } finally {
            p.writeLock.unlock();
        }
    }

    /** Under the peer's write lock, after a write: whether loomnet took the callback while open, and a false return. */
    private static void recordWrite(Peer p, Socket s, Peer.@Nullable Cb cb, boolean below) {
        if (cb != null) {
            cb.issuedWhileOpen = !s.destroyed();
        }
        if (!below) {
            p.falseReturns.incrementAndGet();
        }
    }

    private void writeString(Peer p, Socket s, Op op) {
        Charset charset = Scenario.CHARSETS.get(op.arg());
        String text = text(op.id(), op.size());
        byte[] encoded = text.getBytes(charset);          // what loomnet sends, encoded the same way
        p.writeLock.lock();
        try {
            long offset = p.lateEndBefore(s);
            Peer.Cb cb = p.appendWrite(encoded, op.callback());
            p.issued(cb);
            Callback callback = cb == null ? null : p.callback(cb);
            boolean below = callback == null ? s.write(text, charset) : s.write(text, charset, callback);
            recordWrite(p, s, cb, below);
            p.lateEndAfter(s, offset);
        } finally {
            p.writeLock.unlock();
        }
    }

    /**
     * A text in the encoding its reader decodes with (UTF-8 if it decodes none), written in {@code op.arg()}
     * pieces cut at random byte offsets, so that characters are split across writes and often across reads.
     * The pieces are written under the write lock, so no other write comes between them.
     */
    private void writeText(Peer p, Socket s, Op op) {
        Peer reader = peer(op.pair(), op.target().other());
        SideConfig decoding = reader.config.mode() == ReadMode.ECHO ? p.config : reader.config;
        Charset charset = Scenario.CHARSETS.get(decoding.hasText() ? decoding.charset() : 0);
        byte[] encoded = text(op.id(), op.size()).getBytes(charset);
        SplittableRandom r = new SplittableRandom(scenario.seed() * 5_000_011L + op.id());
        int[] cuts = r.ints(op.arg() - 1, 1, Math.max(2, encoded.length)).sorted().distinct().toArray();
        p.writeLock.lock();
        try {
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? Math.min(cuts[i], encoded.length) : encoded.length;
                if (to > from) {
                    write(p, s, Arrays.copyOfRange(encoded, from, to), op.callback() && to == encoded.length);
                }
                from = Math.max(from, to);
            }
        } finally {
            p.writeLock.unlock();
        }
    }

    /** What a greeting server writes at once: 1 byte to 8 KiB, from the seed. */
    private byte[] greeting(int pair) {
        return bytes(GREETING + pair, new SplittableRandom(scenario.seed() * 17 + pair).nextInt(1, 8193));
    }

    /** The bytes of one write, from the scenario's seed and the write's number. */
    private byte[] bytes(int id, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(scenario.seed() * 1_000_003L + id).nextBytes(b);
        return b;
    }

    private String text(int id, int chars) {
        String[] pieces = {"a", "Z", "0", " ", "é", "ß", "あ", "€", "\uD83D\uDE00", "\n"};
        SplittableRandom r = new SplittableRandom(scenario.seed() * 7_000_003L + id);
        StringBuilder b = new StringBuilder(chars * 2);
        for (int i = 0; i < chars; i++) {
            b.append(pieces[r.nextInt(pieces.length)]);
        }
        return b.toString();
    }

    // ---------------------------------------------------------------------------------------------------
    // the blocking style

    private void streamWriter(Peer p, Socket s) {
        OutputStream out = s.outputStream();
        List<Integer> sizes = p.config.streamWrites();
        for (int i = 0; i < sizes.size(); i++) {
            byte[] data = bytes(100_000 + i, sizes.get(i));
            long offset;
            p.writeLock.lock();
            try {
                offset = p.writtenSize();
                p.appendWrite(data, false);
            } finally {
                p.writeLock.unlock();
            }
            try {
                out.write(data);
                if (p.config.streamFlushes().contains(i)) {
                    out.flush();
                }
            } catch (IOException e) {
                p.streamWriteFailed(offset);              // ended or destroyed meanwhile: expected
                p.log.add("note:stream-write " + e.getMessage());
                return;
            } catch (Throwable t) {
                violations.add(p.side + " output stream threw " + t);
                return;
            }
        }
        if (p.config.streamClose()) {
            p.markEnd();
            try {
                out.close();
            } catch (IOException e) {
                p.log.add("note:stream-close " + e.getMessage());
            }
        }
    }

    private void streamReader(Peer p, Socket s) {
        InputStream in = s.inputStream();
        SplittableRandom r = new SplittableRandom(scenario.seed());
        try {
            for (;;) {
                byte[] buffer = new byte[1 + r.nextInt(r.nextBoolean() ? 64 : 65536)];
                int n = in.read(buffer);
                if (n < 0) {
                    p.log.add("note:stream-eof");
                    return;
                }
                p.read(buffer, 0, n);
            }
        } catch (IOException e) {
            p.log.add("note:stream-read " + e.getMessage());  // destroyed or reset: expected
        } catch (Throwable t) {
            violations.add(p.side + " input stream threw " + t);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // settling

    /**
     * Makes sure the pairs can close: everything flowing that reads by events, everything ended. An onread
     * socket flows by itself, so it is resumed only if it is paused: one that stopped reading on its own
     * (after a reconnect, say) must show as a pair that does not settle.
     */
    private void finale(List<Integer> pairs) {
        finaleLock.writeLock().lock();
        try {
            pairs.forEach(i -> finale[i] = true);
        } finally {
            finaleLock.writeLock().unlock();
        }
        for (Peer p : peers(pairs)) {
            Socket s = p.socket();
            ReadMode mode = p.config.mode();
            if (mode == ReadMode.QUIET && !servers.get(p.pair).config.silent()) {
                p.recording.lateReader(s);                // a quiet client of a silent server must close unread
            }
            if (mode == ReadMode.EVENTS || mode == ReadMode.PIPE || mode == ReadMode.TEXT
                    || (mode == ReadMode.ONREAD && s.isPaused())
                    || (mode == ReadMode.QUIET && !servers.get(p.pair).config.silent())) {
                p.resume(s);
            }
            if (mode != ReadMode.ECHO) {                  // the echo pipe ends V when C's FIN arrives
                p.writeLock.lock();
                try {
                    p.markEnd();
                    s.end();
                } finally {
                    p.writeLock.unlock();
                }
            }
        }
    }

    private static boolean awaitClosed(List<Peer> peers, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (Peer p : peers) {
            if (!p.closed.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /** After a failure: close whatever is open, so that the next scenario starts clean. */
    private void rescue() {
        for (Peer p : peers()) {
            Socket s = p.socketOrNull();
            if (s != null) {
                s.destroy();
            }
        }
        try {
            // destroyed now: CLOSE is due at once (a reconnect's later peers may never have had a socket)
            awaitClosed(peers().stream().filter(Peer::isReady).toList(), Math.min(waitSeconds(), 2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        joinHelpers(peers());
    }

    private void joinHelpers(List<Peer> peers) {
        for (Peer p : peers) {
            for (Thread t : p.helpers) {
                try {
                    if (!t.join(Duration.ofSeconds(waitSeconds()))) {
                        violations.add(p.side + "" + p.pair + "'s " + t.getName() + " thread did not end");
                        t.interrupt();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * What a listener throws destroys its socket with it ({@code ERROR}); if another thread destroyed the socket
     * first, there is nothing left to destroy and it goes to the uncaught exception handler instead (guide.md,
     * errors). Each thrown error must take exactly one of the two ways.
     */
    private void thrownErrors() {
        List<Throwable> lost = uncaught.takeAll(e -> e instanceof ChaosError).stream()
                .map(UncaughtExceptions.Uncaught::error).toList();
        for (Peer p : peers()) {
            for (Throwable e : p.thrown) {
                boolean emitted = p.errors.stream().anyMatch(x -> x == e);
                boolean handed = lost.stream().anyMatch(x -> x == e);
                if (emitted == handed) {
                    violations.add(p.side + ": the listener's " + e.getMessage() + (emitted
                            ? " went both to ERROR and to the uncaught exception handler"
                            : " went neither to ERROR nor to the uncaught exception handler"));
                }
                if (handed && !p.log.contains("close:false") && !p.log.contains("close:true")) {
                    violations.add(p.side + ": the listener's " + e.getMessage() + " went uncaught on an open socket");
                }
            }
        }
        for (Throwable e : lost) {
            if (peers().stream().noneMatch(p -> p.thrown.contains(e))) {
                violations.add("an uncaught " + e + " that no listener operation threw");
            }
        }
    }

    /**
     * Callbacks may come after CLOSE (writes rejected after destroy): wait (2 s, or 0.4 s once scenarios failed)
     * for each one's first call.
     */
    private void awaitCallbacks() {
        try {
            Awaitility.await().atMost(Duration.ofMillis(waitSeconds() * 200L)).pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> peers().stream()
                            .allMatch(p -> p.callbacks.stream().allMatch(cb -> cb.calls.get() > 0))
                            && countCalls.stream().allMatch(c -> c.calls.get() > 0));
        } catch (ConditionTimeoutException e) {
            // Invariants reports each callback that never ran
        }
    }

    /** Every {@code getConnections} callback once, with no error and a count that can be. */
    private void countCalls() {
        for (CountCall c : countCalls) {
            if (c.calls.get() != 1) {
                violations.add("getConnections callback of op #" + c.op + " called " + c.calls.get() + " times");
            } else if (c.error != null || c.count < 0 || c.count > scenario.pairs()) {
                violations.add("getConnections callback of op #" + c.op + " got (" + c.error + ", " + c.count
                        + ") with " + scenario.pairs() + " clients");
            }
        }
    }

    private void closeServer(Server srv) throws InterruptedException {
        // Every accepted socket closed: the count is back to 0, through the callback too.
        CountDownLatch counted = new CountDownLatch(1);
        AtomicInteger last = new AtomicInteger(-1);
        srv.getConnections((e, n) -> {
            last.set(n);
            counted.countDown();
        });
        if (!counted.await(waitSeconds(), TimeUnit.SECONDS)) {
            violations.add("server.getConnections(cb) did not call back within " + waitSeconds() + " s");
        } else if (last.get() != 0) {
            violations.add("server.getConnections(cb) gave " + last.get() + " after every socket closed");
        }
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<@Nullable Throwable> error = new AtomicReference<>();
        srv.close(e -> {
            error.set(e);
            closed.countDown();
        });
        if (!closed.await(waitSeconds(), TimeUnit.SECONDS)) {
            violations.add("server.close(cb) did not call back within " + waitSeconds() + " s; connections()="
                    + srv.connections());
        } else if (error.get() != null) {
            violations.add("server.close(cb) failed: " + error.get());
        }
        if (srv.connections() != 0) {
            violations.add("server.connections() is " + srv.connections() + " after both sockets closed");
        }
        if (accepted.get() != scenario.pairs()) {
            violations.add("the server accepted " + accepted.get() + " connections for " + scenario.pairs()
                    + " clients");
        }
    }

    private static String state(Peer p) {
        Socket s = p.socketOrNull();
        if (s == null) {
            return p.side + "" + p.pair + " never accepted";
        }
        return p.side + "" + p.pair + " readyState=" + s.readyState() + " destroyed=" + s.destroyed()
                + " paused=" + s.isPaused()
                + " writableLength=" + s.writableLength() + " bytesRead=" + s.bytesRead() + " bytesWritten="
                + s.bytesWritten();
    }

    private String report() {
        StringBuilder b = new StringBuilder("\n").append(scenario.describe());
        if (!opStatus.isEmpty()) {
            b.append("  listener operations that fired or were skipped: ").append(new java.util.TreeMap<>(opStatus))
                    .append('\n');
        }
        b.append("violations:\n");
        violations.forEach(v -> b.append("  - ").append(v).append('\n'));
        for (Peer p : peers()) {
            String who = p.side + "" + p.pair;
            b.append(who).append(" log: ").append(p.describeLog()).append('\n');
            b.append(who).append(" bytes: wrote ").append(p.writtenSize()).append(" (endMark ").append(p.endMark())
                    .append("), received ").append(p.receivedBytes().length);
            if (p.isReady()) {
                b.append(", bytesWritten() ").append(p.bytesWritten()).append(", bytesRead() ").append(p.bytesRead());
            }
            if (p.config.hasText()) {
                b.append(", text ").append(p.receivedText().length()).append(" chars");
            }
            b.append('\n');
            if (!p.errors.isEmpty()) {
                b.append(who).append(" errors: ").append(p.errors).append('\n');
            }
        }
        return b.toString();
    }

}
