package dev.loomnet.tests.stress;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.Lookup;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.UncaughtExceptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One refused client of the {@code late} group ({@link Scenario.Refused}): it connects to a port nothing listens
 * on, from the test thread, and gets its listeners only after {@code connect()} returned, often after it already
 * failed. Its listeners must get exactly Node's events for that, once each and in order: {@code lookup} (for a
 * host name), {@code connectionAttempt}, {@code connectionAttemptFailed}, {@code ERROR} with
 * {@code ECONNREFUSED}, {@code CLOSE(true)}; a listener for the kept {@code ERROR} added only after
 * {@code CLOSE} still gets it; a write's callback runs once with an error; {@code when} agrees with the
 * listeners. With no {@code ERROR} listener at all, the error goes to the uncaught exception handler exactly
 * once, when the socket connects again. Everything else that goes uncaught fails the test
 * ({@code LoomnetExtension}).
 */
final class RefusedClient {

    private final Scenario.Refused config;
    private final int port;
    private final UncaughtExceptions uncaught;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final AtomicInteger closes = new AtomicInteger();
    private final AtomicInteger writeCalls = new AtomicInteger();
    private final AtomicReference<@Nullable Throwable> writeError = new AtomicReference<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private @Nullable Socket socket;

    RefusedClient(Scenario.Refused config, int port, UncaughtExceptions uncaught) {
        this.config = config;
        this.port = port;
        this.uncaught = uncaught;
    }

    void connect() {
        Socket s = switch (config.factory()) {
            case SOCKET -> Net.socket().connect(port, "127.0.0.1");
            case CONNECT -> Net.connect(port, "127.0.0.1");
            case CREATE -> Net.createConnection(port, "127.0.0.1");
            case LOOKUP -> Net.connect(ConnectOptions.builder().host("refused.test").port(port)
                    .lookup((host, family) -> List.of(new Lookup.Address("127.0.0.1", 4))).build());
        };
        socket = s;
        if (config.write() == 1) {
            write(s);
        }
    }

    /** Attaches the listeners (right away, or once the socket failed) and runs {@code when}. */
    void attach() {
        Socket s = java.util.Objects.requireNonNull(socket);
        if (config.settled()) {
            awaitOrNote("it was not destroyed", s::destroyed);
        }
        if (config.unheard()) {
            unheard(s);
            return;
        }
        s.on(Socket.LOOKUP, (error, address, family, host) -> log.add("lookup"));
        s.on(Socket.CONNECTION_ATTEMPT, (ip, p, family, error) -> log.add("attempt"));
        s.on(Socket.CONNECTION_ATTEMPT_FAILED, (ip, p, family, error) -> log.add("attempt-failed"));
        s.on(Socket.CONNECT, () -> log.add("connect"));
        s.on(Socket.READY, () -> log.add("ready"));
        if (config.closeFirst()) {
            s.on(Socket.CLOSE, this::closed);
            awaitOrNote("CLOSE did not come before the ERROR listener", () -> closes.get() > 0);
            s.on(Socket.ERROR, this::error);
        } else {
            s.on(Socket.ERROR, this::error);
            s.on(Socket.CLOSE, this::closed);
        }
        if (config.write() == 2) {
            write(s);
        }
        if (config.when() >= 0) {
            when(s);
        }
    }

    private void error(Throwable e) {
        errors.add(e);
        log.add("error:" + Peer.code(e));
    }

    private void closed(boolean hadError) {
        log.add("close:" + hadError);
        closes.incrementAndGet();
    }

    private void write(Socket s) {
        s.write("never sent".getBytes(StandardCharsets.UTF_8), e -> {
            if (writeCalls.incrementAndGet() == 1) {
                writeError.set(e);
            }
        });
    }

    /**
     * No {@code ERROR} listener for the first connection: its error is kept for a listener that never comes, and
     * reported as uncaught when the socket connects again, once. The second connection's {@code ERROR} is heard.
     */
    private void unheard(Socket s) {
        s.on(Socket.CLOSE, this::closed);
        if (config.write() == 2) {
            write(s);
        }
        awaitOrNote("the first connection did not close", () -> closes.get() > 0);
        s.connect(port, "127.0.0.1");
        List<Throwable> reported = new ArrayList<>();
        awaitOrNote("the first connection's unheard ERROR did not reach the uncaught exception handler", () -> {
            uncaught.takeAll(e -> e instanceof NetException ne && NetException.ECONNREFUSED.equals(ne.code()))
                    .forEach(u -> reported.add(u.error()));
            return !reported.isEmpty();
        });
        if (reported.size() > 1) {
            problems.add("uncaught: " + reported);
        }
        s.on(Socket.ERROR, this::error);
    }

    /**
     * {@code when(event)} must agree with the listeners attached before it: {@code CONNECT} and {@code CLOSE}
     * fail with the very error they heard, {@code ERROR} completes with it. The outcome is known, so it must come
     * within the bound.
     */
    private void when(Socket s) {
        String name = WhenChecks.WHEN_NAMES.get(config.when());
        CompletableFuture<?> future = s.when(WhenChecks.WHEN_EVENTS.get(config.when()));
        Object outcome;
        try {
            outcome = future.get(ChaosRun.waitSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            outcome = e.getCause();
        } catch (TimeoutException e) {
            problems.add("when(" + name + ") did not complete within " + ChaosRun.waitSeconds() + " s");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Object got = outcome;
        awaitOrNote("its ERROR listener heard nothing", () -> !errors.isEmpty());
        if (errors.isEmpty() || got != errors.get(0)) {
            problems.add("when(" + name + ") gave " + got + ", its ERROR listener " + errors);
        }
        log.add("note:when:" + name);
    }

    /** The checks, once the run is over: appends what is wrong to {@code out}. */
    void check(List<String> out) {
        String who = "R" + config.id() + ": ";
        int expectedCloses = config.unheard() ? 2 : 1;
        awaitOrNote("CLOSE came " + closes.get() + " times, not " + expectedCloses,
                () -> closes.get() >= expectedCloses);
        if (config.write() > 0) {
            awaitOrNote("the write callback was never called", () -> writeCalls.get() > 0);
        }
        List<String> events = log.stream().filter(e -> !e.startsWith("note:")).toList();
        List<String> expected = new ArrayList<>();
        if (config.unheard()) {
            // The second connection's CLOSE reaches the first one's listener, in time now, live; its ERROR is
            // replayed to the listener added after connect(): either may come first.
            if (!events.stream().sorted().toList().equals(List.of("close:true", "close:true", "error:ECONNREFUSED"))) {
                out.add(who + "events " + events + ", expected close:true, then close:true and error:ECONNREFUSED");
            }
        } else {
            if (config.factory() == Scenario.Factory.LOOKUP) {
                expected.add("lookup");
            }
            expected.addAll(List.of("attempt", "attempt-failed"));
            expected.addAll(config.closeFirst() ? List.of("close:true", "error:ECONNREFUSED")
                    : List.of("error:ECONNREFUSED", "close:true"));
            if (!events.equals(expected)) {
                out.add(who + "events " + events + ", expected " + expected);
            }
        }
        if (config.write() > 0) {
            Throwable e = writeError.get();
            if (writeCalls.get() != 1 || !(e instanceof NetException)) {
                out.add(who + "the write callback was called " + writeCalls.get() + " times, first with " + e);
            }
        }
        Socket s = socket;
        if (s != null && !s.destroyed()) {
            out.add(who + "not destroyed after CLOSE");
        }
        problems.forEach(p -> out.add(who + p));
    }

    private void awaitOrNote(String problem, BooleanSupplier condition) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(ChaosRun.waitSeconds())).pollInSameThread()
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            problems.add(problem + " within " + ChaosRun.waitSeconds() + " s");
        }
    }
}
