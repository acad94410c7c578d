package dev.loomnet.tests.stress;

import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.stress.Scenario.Attach;
import dev.loomnet.tests.stress.Scenario.ReadMode;
import dev.loomnet.tests.stress.Scenario.Side;
import dev.loomnet.testing.UncaughtExceptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
 * mode and triggers ({@link PairSetup#attachLate}), and the {@code late} group's refused clients run beside the pairs
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

    /** The errors the test passes to {@code destroy(error)} or throws from listeners; no stack trace. */
    static final class ChaosError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ChaosError(String message) {
            super(message, null, false, false);
        }
    }

    private final Scenario scenario;
    private final UncaughtExceptions uncaught;
    /** Each pair's client and accepted socket; for reconnect, the clients share one socket, one after the other. */
    private final List<Peer> clients = new ArrayList<>();
    private final List<Peer> servers = new ArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final WhenChecks whens;
    private final Operations ops;
    private final PairSetup setup;

    ChaosRun(Scenario scenario, Path dir, UncaughtExceptions uncaught) {
        this.scenario = scenario;
        this.uncaught = uncaught;
        for (int i = 0; i < scenario.pairs(); i++) {
            clients.add(new Peer(Side.C, i, scenario.clients().get(i)));
            servers.add(new Peer(Side.V, i, scenario.servers().get(i)));
        }
        this.whens = new WhenChecks(violations);
        this.ops = new Operations(scenario, clients, servers, violations, whens, this::server);
        this.setup = new PairSetup(scenario, dir, uncaught, clients, servers, violations, ops);
    }

    /** The listening server, for the operations that ask it. */
    private Server server() {
        return Objects.requireNonNull(setup.listening());
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
            Server srv = setup.listen();
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
                    c = setup.connect(srv, i, c, current);
                    round(List.of(i));
                }
            } else {
                List<RefusedClient> refused = setup.refusedClients();
                for (int i = 0; i < scenario.pairs(); i++) {
                    if (scenario.clients().get(i).attach() == Attach.EARLY) {
                        setup.connect(srv, i, null, new AtomicReference<>(clients.get(i)));
                    } else {
                        setup.connectLate(srv, i);
                    }
                }
                for (int i = 0; i < scenario.pairs(); i++) {
                    if (scenario.clients().get(i).attach() != Attach.EARLY) {
                        setup.attachLate(i);
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
            Server listening = setup.listening();
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
        Thread second = Thread.ofVirtual().name("chaos-second").start(() -> ops.runAll(scenario.threadOps(), pairs));
        try {
            ops.runAll(scenario.testOps(), pairs);
            second.join(Duration.ofSeconds(waitSeconds()));
            if (second.isAlive()) {
                violations.add("the second thread's operations did not finish within " + waitSeconds() + " s");
            }
            finale(pairs);
            if (!awaitClosed(peers(pairs), waitSeconds())) {
                violations.add("the pairs " + pairs + " did not settle within " + waitSeconds() + " s: "
                        + peers(pairs).stream().map(ChaosRun::state).toList() + "\nloomnet's threads now:\n"
                        + ThreadDump.loomnetThreads());
                rescue();
            } else {
                for (int i : pairs) {
                    whens.whenAfterClose(clients.get(i));
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
    // settling

    /**
     * Makes sure the pairs can close: everything flowing that reads by events, everything ended. An onread
     * socket flows by itself, so it is resumed only if it is paused: one that stopped reading on its own
     * (after a reconnect, say) must show as a pair that does not settle.
     */
    private void finale(List<Integer> pairs) {
        ops.lockOutPauses(pairs);
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
                            && ops.countCalls().stream().allMatch(c -> c.calls.get() > 0));
        } catch (ConditionTimeoutException e) {
            // Invariants reports each callback that never ran
        }
    }

    /** Every {@code getConnections} callback once, with no error and a count that can be. */
    private void countCalls() {
        for (Operations.CountCall c : ops.countCalls()) {
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
        if (setup.accepted() != scenario.pairs()) {
            violations.add("the server accepted " + setup.accepted() + " connections for " + scenario.pairs()
                    + " clients");
        }
    }

    static String state(Peer p) {
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
        if (!ops.opStatus().isEmpty()) {
            b.append("  listener operations that fired or were skipped: ")
                    .append(new java.util.TreeMap<>(ops.opStatus())).append('\n');
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
