package dev.loomnet.tests.stress;

import static dev.loomnet.tests.stress.ChaosRun.waitSeconds;

import dev.loomnet.net.Event;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.stress.Scenario.Op;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The chaos run's {@code socket.when(event)} futures, awaited and checked against what the socket's recorder
 * heard: those of the {@code WHEN} operations, and, once a late client closed, one for each event it heard.
 */
final class WhenChecks {

    /** The events a {@code WHEN} operation waits for, and their names in the logs. */
    static final List<Event.Valued<Socket, ?, ?>> WHEN_EVENTS = List.of(Socket.CONNECT, Socket.READY, Socket.END,
            Socket.FINISH, Socket.CLOSE, Socket.ERROR);
    static final List<String> WHEN_NAMES = List.of("connect", "ready", "end", "finish", "close", "error");
    /** Bound of a {@code WHEN} operation whose event may never come. */
    static final int WHEN_MILLIS = 20;

    private final List<String> violations;

    WhenChecks(List<String> violations) {
        this.violations = violations;
    }

    /**
     * {@code s.when(event)} awaited with a bounded {@code get}, checked against what the recorder (whose
     * listeners were added before) heard. Completed: the recorder heard the event already, with the same value.
     * Failed: with the very error the recorder heard. Timed out: the future's listeners are gone again. On a
     * client attached late, an event (or ERROR) its recorder heard before this call was kept, so the future must
     * get it: it is awaited for the full bound then, and a timeout is a failure. Only the test thread runs this,
     * so nothing else adds or removes lifecycle listeners meanwhile, but a pipe's unpipe (END and CLOSE).
     */
    void when(Peer p, Socket s, Op op) throws InterruptedException {
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
    void whenAfterClose(Peer p) throws InterruptedException {
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
}
