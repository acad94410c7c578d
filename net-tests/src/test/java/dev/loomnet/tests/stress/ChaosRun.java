package dev.loomnet.tests.stress;

import dev.loomnet.net.Callback;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.tests.stress.Scenario.Kind;
import dev.loomnet.tests.stress.Scenario.Op;
import dev.loomnet.tests.stress.Scenario.ReadMode;
import dev.loomnet.tests.stress.Scenario.Side;
import dev.loomnet.tests.stress.Scenario.Trigger;
import dev.loomnet.testing.UncaughtExceptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Runs one {@link Scenario} on a real loopback pair and returns what went wrong.
 *
 * <p>The order of a run: listen; create the client with its recorders and triggers and {@code connect()}; start
 * the second thread; run the test thread's operations (the first ones usually while the client is still
 * connecting); join the second thread; then the <em>finale</em>, which makes sure the pair can settle whatever
 * the operations did: every socket that reads by events is resumed and every socket that may be ended is
 * ended. Then wait (bounded) for both {@code CLOSE} events and every callback, close the server, and check
 * {@link Invariants}. Listener operations keep firing during the finale, except {@code pause()}, which the
 * finale locks out: a pause after the finale's {@code resume()} would leave a socket that never reads its
 * peer's FIN.
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

    /** The errors the test passes to {@code destroy(error)} or throws from listeners; no stack trace. */
    static final class ChaosError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ChaosError(String message) {
            super(message, null, false, false);
        }
    }

    private final Scenario scenario;
    private final Path dir;
    private final UncaughtExceptions uncaught;
    private final Peer client;
    private final Peer server;
    private final List<String> violations = new CopyOnWriteArrayList<>();
    /** What became of each listener operation: fired, skipped. */
    private final Map<Integer, String> opStatus = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock finaleLock = new ReentrantReadWriteLock();
    private volatile boolean finale;
    private final AtomicInteger accepted = new AtomicInteger();
    private @Nullable Server listening;

    ChaosRun(Scenario scenario, Path dir, UncaughtExceptions uncaught) {
        this.scenario = scenario;
        this.dir = dir;
        this.uncaught = uncaught;
        this.client = new Peer(Side.C, scenario.client());
        this.server = new Peer(Side.V, scenario.server());
    }

    private Peer peer(Side side) {
        return side == Side.C ? client : server;
    }

    /** Runs the scenario; returns the failure report, or null if every invariant held. */
    @Nullable String run() {
        Thread second = null;
        try {
            Server srv = listen();
            connect(srv);
            second = Thread.ofVirtual().name("chaos-second").start(() -> runAll(scenario.threadOps()));
            runAll(scenario.testOps());
            second.join(Duration.ofSeconds(waitSeconds()));
            if (second.isAlive()) {
                violations.add("the second thread's operations did not finish within " + waitSeconds() + " s");
            }
            finale();
            if (!awaitClosed(waitSeconds())) {
                violations.add("the pair did not settle within " + waitSeconds() + " s: " + state(client) + "; "
                        + state(server));
                rescue();
            }
            joinHelpers();
            awaitCallbacks();
            closeServer(srv);
            thrownErrors();
            Invariants.check(scenario, client, server, violations);
        } catch (Throwable t) {
            violations.add("the run failed: " + t);
            rescue();
        } finally {
            if (second != null && second.isAlive()) {
                second.interrupt();
            }
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

    // ---------------------------------------------------------------------------------------------------
    // set-up

    private Server listen() {
        Scenario.SideConfig v = scenario.server();
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

    private Socket connect(Server srv) {
        Scenario.SideConfig cfg = scenario.client();
        Socket c = Net.socket(SocketOptions.builder().allowHalfOpen(cfg.allowHalfOpen())
                .highWaterMark(cfg.highWaterMark()).build());
        client.attach(c, null);
        readMode(client, c);
        triggers(client, c);
        if (scenario.unix()) {
            c.connect(java.util.Objects.requireNonNull(srv.address()).path());
        } else {
            c.connect(java.util.Objects.requireNonNull(srv.address()).port(), "127.0.0.1");
        }
        if (cfg.mode() == ReadMode.STREAM) {
            client.helpers.add(Thread.ofVirtual().name("chaos-stream-writer").start(() -> streamWriter(client, c)));
            client.helpers.add(Thread.ofVirtual().name("chaos-stream-reader").start(() -> streamReader(client, c)));
        }
        return c;
    }

    /** V's connection listener, on its connection thread, before any of its events. */
    private void onConnection(Socket s) throws Exception {
        if (accepted.getAndIncrement() > 0) {
            violations.add("the server accepted a second connection");
            s.destroy();
            return;
        }
        Server srv = java.util.Objects.requireNonNull(listening);
        server.attach(s, srv);
        readMode(server, s);
        triggers(server, s);
        server.ready.countDown();
        fire(server, Trigger.CONNECT, 1);
        if (scenario.server().mode() == ReadMode.STREAM) {
            if (scenario.server().streamInline()) {
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
        switch (p.config.mode()) {
            case PIPE -> s.pipe(p.new Recorder(dataTrigger(p)));
            case ECHO -> s.pipe(s);
            default -> { }                               // EVENTS: Peer.attach added the DATA recorder
        }
    }

    private Listener dataTrigger(Peer p) {
        AtomicInteger n = new AtomicInteger();
        return () -> fire(p, Trigger.DATA, n.incrementAndGet());
    }

    /** Listeners that fire the listener operations triggered by {@code p}'s events. */
    private void triggers(Peer p, Socket s) {
        for (Trigger t : Trigger.values()) {
            if (scenario.listenerOps().stream().noneMatch(op -> op.triggerSide() == p.side && op.trigger() == t)) {
                continue;
            }
            AtomicInteger n = new AtomicInteger();
            Listener l = () -> fire(p, t, n.incrementAndGet());
            switch (t) {
                case CONNECT -> {
                    if (p.side == Side.C) {
                        s.on(Socket.CONNECT, l);
                    }                                    // V: run by onConnection
                }
                case DATA -> {
                    if (p.config.mode() == ReadMode.EVENTS) {
                        Listener d = dataTrigger(p);
                        s.on(Socket.DATA, chunk -> d.handle());
                    }                                    // PIPE: the recorder fires them
                }
                case DRAIN -> s.on(Socket.DRAIN, l);
                case END -> s.on(Socket.END, l);
                case FINISH -> s.on(Socket.FINISH, l);
                case TIMEOUT -> s.on(Socket.TIMEOUT, l);
            }
        }
    }

    /** Runs the listener operations of the {@code nth} {@code trigger} of {@code p}, inside its listener. */
    private void fire(Peer p, Trigger trigger, int nth) {
        for (Op op : scenario.listenerOps()) {
            if (op.triggerSide() == p.side && op.trigger() == trigger && op.nth() == nth) {
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

    private void runAll(List<Op> ops) {
        for (Op op : ops) {
            runGuarded(op);
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
        Peer p = peer(op.target());
        if (op.kind().violent() || op.kind() == Kind.END || op.kind() == Kind.END_DATA) {
            // The pair must exist before it is torn down: a client destroyed before its handshake completed
            // may never reach the server. An end counts too, as a write after it destroys the socket.
            server.socket();
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
            case CORK -> s.cork();
            case UNCORK -> s.uncork();
            case PAUSE -> {
                finaleLock.readLock().lock();
                try {
                    if (finale) {
                        opStatus.put(op.id(), "skipped: after the finale");
                    } else {
                        s.pause();
                    }
                } finally {
                    finaleLock.readLock().unlock();
                }
            }
            case RESUME -> s.resume();
            case END -> {
                p.writeLock.lock();
                try {
                    p.markEnd();
                    if (op.callback()) {
                        Peer.Cb cb = p.endCallback(op.id());
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
                    p.appendWrite(data, false);
                    p.endDataOps.incrementAndGet();
                    p.markEnd();
                    if (op.callback()) {
                        Peer.Cb cb = p.endCallback(op.id());
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
            case AWAIT, THROW -> throw new AssertionError("handled above");
        }
    }

    private static void write(Peer p, Socket s, byte[] data, boolean withCallback) {
        p.writeLock.lock();
        try {
            Peer.Cb cb = p.appendWrite(data, withCallback);
            boolean below = cb == null ? s.write(data) : s.write(data, p.callback(cb));
            recordWrite(p, s, cb, below);
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
        Charset charset = Op.CHARSETS.get(op.arg());
        String text = text(op.id(), op.size());
        byte[] encoded = text.getBytes(charset);          // what loomnet sends, encoded the same way
        p.writeLock.lock();
        try {
            Peer.Cb cb = p.appendWrite(encoded, op.callback());
            Callback callback = cb == null ? null : p.callback(cb);
            boolean below = callback == null ? s.write(text, charset) : s.write(text, charset, callback);
            recordWrite(p, s, cb, below);
        } finally {
            p.writeLock.unlock();
        }
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

    /** Makes sure the pair can close: everything flowing that reads by events, everything ended. */
    private void finale() {
        finaleLock.writeLock().lock();
        try {
            finale = true;
        } finally {
            finaleLock.writeLock().unlock();
        }
        for (Peer p : List.of(client, server)) {
            Socket s = p.socket();
            ReadMode mode = p.config.mode();
            if (mode == ReadMode.EVENTS || mode == ReadMode.PIPE) {
                s.resume();
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

    private boolean awaitClosed(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        return client.closed.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)
                && server.closed.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /** After a failure: close whatever is open, so that the next scenario starts clean. */
    private void rescue() {
        for (Peer p : List.of(client, server)) {
            Socket s = p.socketOrNull();
            if (s != null) {
                s.destroy();
            }
        }
        try {
            awaitClosed(Math.min(waitSeconds(), 2));     // destroyed now: CLOSE is due at once
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        joinHelpers();
    }

    private void joinHelpers() {
        for (Peer p : List.of(client, server)) {
            for (Thread t : p.helpers) {
                try {
                    if (!t.join(Duration.ofSeconds(waitSeconds()))) {
                        violations.add(p.side + "'s " + t.getName() + " thread did not end");
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
     * first, there is nothing left to destroy and it goes to the uncaught exception handler instead (design.md
     * 3.5). Each thrown error must take exactly one of the two ways.
     */
    private void thrownErrors() {
        List<Throwable> lost = uncaught.takeAll(e -> e instanceof ChaosError).stream()
                .map(UncaughtExceptions.Uncaught::error).toList();
        for (Peer p : List.of(client, server)) {
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
            if (java.util.stream.Stream.of(client, server).noneMatch(p -> p.thrown.contains(e))) {
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
                    .until(() -> java.util.stream.Stream.of(client, server)
                            .allMatch(p -> p.callbacks.stream().allMatch(cb -> cb.calls.get() > 0)));
        } catch (ConditionTimeoutException e) {
            // Invariants reports each callback that never ran
        }
    }

    private void closeServer(Server srv) throws InterruptedException {
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
        if (accepted.get() != 1) {
            violations.add("the server accepted " + accepted.get() + " connections");
        }
    }

    private static String state(Peer p) {
        Socket s = p.socketOrNull();
        if (s == null) {
            return p.side + " never accepted";
        }
        return p.side + " readyState=" + s.readyState() + " destroyed=" + s.destroyed() + " paused=" + s.isPaused()
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
        for (Peer p : List.of(client, server)) {
            Socket s = p.socketOrNull();
            b.append(p.side).append(" log: ").append(p.describeLog()).append('\n');
            b.append(p.side).append(" bytes: wrote ").append(p.writtenSize()).append(" (endMark ").append(p.endMark())
                    .append("), received ").append(p.receivedBytes().length);
            if (s != null) {
                b.append(", bytesWritten() ").append(s.bytesWritten()).append(", bytesRead() ").append(s.bytesRead());
            }
            b.append('\n');
        }
        return b.toString();
    }

}
