package dev.loomnet.loom;

import dev.loomnet.net.ErrorListener;
import dev.loomnet.net.Event;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The lifecycle events of one connection, kept for listeners added late (the rule is stated once, on
 * {@link dev.loomnet.net.EventEmitter}). An emitter has one while its current connection was started from
 * outside its listeners, and none otherwise (an accepted socket never has one).
 *
 * <p>The kept emissions themselves live in the emitter's {@link Listeners} array, appended atomically with the
 * read of the registrations they go to, so that each registration either hears an emission or is owed it. What
 * is owed is paid on the emitter's event sequence, in emission order ({@link #payOwed}).
 */
final class KeptEvents {

    private final Listeners listeners;
    private final EventQueue queue;
    /** {@code connect} or {@code listen} was called: from now on a listener can be late. */
    private final boolean started;
    /**
     * The kept emission being delivered now, emitted or replayed; touched only on the event sequence. A
     * registration added meanwhile from a listener gets only what was emitted after it ({@link #added}).
     */
    private Listeners.@Nullable Entry delivering;
    /**
     * Replays owed to registrations added late, paid on the event sequence; one batch per call of
     * {@link #added}, so that the registrations of one caller are owed together.
     */
    private final ConcurrentLinkedQueue<List<Owed>> owed = new ConcurrentLinkedQueue<>();
    /**
     * Orders adding registrations against emitting: registrations are published together with what they are
     * owed ({@link #added(Supplier)}), and an emission reads the registrations only when nothing is owed
     * ({@link #emit}). Without it, an emission between the two reached a registration before the replay owed
     * to its partner ({@code when}'s {@code ERROR} listener) of an event emitted earlier. Held briefly, never
     * while a listener runs.
     */
    private final ReentrantLock order = new ReentrantLock();

    /** A kept emission owed to a registration that was added after it. */
    private record Owed(Listeners.Entry registration, Listeners.Entry kept) {
    }

    /**
     * @param started whether a connection started ({@code connect} or {@code listen}), or the emitter was only
     *                created: listeners added before the connection starts are in time, not late
     */
    KeptEvents(Listeners listeners, EventQueue queue, boolean started) {
        this.listeners = listeners;
        this.queue = queue;
        this.started = started;
    }

    /** Whether a listener added now by the calling thread is late (see {@link Listeners.Entry#late()}). */
    boolean late() {
        return started && !queue.listenersCannotBeLate();
    }

    /**
     * Adds registrations with {@code add} and owes them what they missed, atomically with respect to
     * emissions. A registration added from outside the emitter's listeners is owed the kept emissions of its
     * event that came before it. One added inside a listener is in Node's tick: it is owed only those emitted
     * after the event that listener is handling (a kept one being replayed late), and none when that event was
     * not kept; so it never gets the emission during which it was added, and a listener that adds itself again
     * does not run forever. Registrations that act as one listener ({@code when}'s listeners of its event and of
     * {@code ERROR}) are owed in one batch, so that it is paid in emission order, and never a replay to one of
     * them before the other was owed its own.
     *
     * @return what {@code add} added
     */
    List<Listeners.Entry> added(Supplier<List<Listeners.Entry>> add) {
        List<Listeners.Entry> registrations;
        List<Owed> batch = null;
        order.lock();
        try {
            registrations = add.get();
            for (Listeners.Entry registration : registrations) {
                batch = owe(registration, batch);
            }
            if (batch != null) {
                owed.add(batch);
            }
        } finally {
            order.unlock();
        }
        if (batch != null) {
            queue.post(this::payOwed);
        }
        return registrations;
    }

    /** Adds what {@code registration} missed to {@code batch} (made when first needed); returns the batch. */
    private @Nullable List<Owed> owe(Listeners.Entry registration, @Nullable List<Owed> batch) {
        if (!listeners.hasKept(registration.event)) {
            return batch;
        }
        List<Listeners.Entry> missed;
        if (queue.runsHere()) {
            Listeners.Entry now = delivering;
            missed = now == null ? List.of() : listeners.keptBetween(now, registration);
        } else {
            missed = listeners.keptBefore(registration);
        }
        List<Owed> out = batch;
        for (Listeners.Entry kept : missed) {
            if (out == null) {
                out = new ArrayList<>(2);
            }
            out.add(new Owed(registration, kept));
        }
        return out;
    }

    private void pay(@Nullable List<Owed> batch) {
        if (batch != null) {
            owed.add(batch);
            queue.post(this::payOwed);
        }
    }

    /**
     * Emits an event Node emits at most once per connection and keeps it, atomically with reading the
     * registrations it goes to now. If they heard it and none of them was added late, the code that set the
     * emitter up attached its listeners in time (as Node code does), so a listener added from now on is meant
     * for what comes next, not for this: the emission is dropped again.
     *
     * @return whether any listener heard it
     */
    <L> boolean emit(Event<?, L> event, Invoker<L> invoker) throws Exception {
        Listeners.Entry kept = Listeners.kept(event, invoker);
        Listeners.Entry[] registrations = null;
        while (registrations == null) {
            payOwed();
            order.lock();
            try {
                if (owed.isEmpty()) {
                    registrations = listeners.keep(kept);
                }
            } finally {
                order.unlock();
            }
        }
        boolean heard = false;
        boolean late = false;
        for (Listeners.Entry r : registrations) {
            if (r.event == event && !r.kept()) {
                heard = true;
                late |= r.late();
            }
        }
        if (heard && !late) {
            listeners.removeEntry(kept);
        }
        Listeners.Entry outer = delivering;
        delivering = kept;
        try {
            return listeners.emit(registrations, event, invoker);
        } finally {
            delivering = outer;
        }
    }

    /** Emits {@code ERROR}; an error no listener hears waits for one ({@link UnheardError}). */
    void emitError(Event<?, ErrorListener> event, Throwable error, Object emitter) throws Exception {
        UnheardError unheard = new UnheardError(error);
        if (!emit(event, unheard)) {
            unheard.track(emitter);
        }
    }

    /**
     * On the event sequence: delivers every replay owed so far, in the order the kept emissions were emitted
     * (not the order the listeners were added in), so that listeners added late in any order still hear, say,
     * {@code ERROR} before {@code CLOSE}. Also called before each kept emission, so that one emitted now never
     * overtakes a replay of one emitted before it.
     */
    @SuppressWarnings("unchecked")
    private void payOwed() throws Exception {
        if (owed.isEmpty()) {
            return;
        }
        List<Owed> due = new ArrayList<>();
        for (List<Owed> batch; (batch = owed.poll()) != null; ) {
            due.addAll(batch);
        }
        Listeners.Entry[] order = listeners.snapshot();
        due.sort(Comparator.comparingInt(o -> indexOf(order, o.kept())));
        for (int i = 0; i < due.size(); i++) {
            Owed o = due.get(i);
            Listeners.Entry registration = o.registration();
            if (registration.once()) {
                // Removing it claims its run: one removed meanwhile (off(), or by its future) must not run either.
                if (!listeners.removeEntry(registration) || !registration.fire()) {
                    continue;
                }
            } else if (!listeners.contains(registration)) {
                continue;                                   // removed meanwhile
            }
            Listeners.Entry outer = delivering;
            delivering = o.kept();
            try {
                ((Invoker<Object>) o.kept().listener()).invoke(registration.listener());
            } catch (Exception | Error e) {
                // As in an emission, the registrations after a throwing listener do not get this one; the later
                // emissions are still owed to every registration, as they would be emitted to them.
                List<Owed> later = new ArrayList<>();
                for (Owed rest : due.subList(i + 1, due.size())) {
                    if (rest.kept() != o.kept()) {
                        later.add(rest);
                    }
                }
                pay(later.isEmpty() ? null : later);
                throw e;
            } finally {
                delivering = outer;
            }
        }
    }

    /** The position of {@code entry} in {@code entries}; -1 (first) for one already dropped. */
    private static int indexOf(Listeners.Entry[] entries, Listeners.Entry entry) {
        for (int i = 0; i < entries.length; i++) {
            if (entries[i] == entry) {
                return i;
            }
        }
        return -1;
    }
}
