package dev.loomnet.testing;

import dev.loomnet.net.AttemptListener;
import dev.loomnet.net.Event;
import dev.loomnet.net.LookupListener;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Records the events of one socket or server, in the order they were emitted, for assertions:
 * <pre>{@code
 * Socket client = Net.socket();
 * EventRecorder events = EventRecorder.of(client);
 * client.connect(server.port(), server.host(), () -> client.end());
 * events.awaitEvent(Socket.CLOSE);
 * assertEquals(List.of("connect", "ready", "end", "finish", "close"), events.names());
 * }</pre>
 * A recorder adds one listener per event and removes none. Attach it before the socket connects or the server
 * listens (or, for an accepted socket, in the {@code CONNECTION} listener); events that loomnet keeps for late
 * listeners (see {@link dev.loomnet.net.EventEmitter}) reach it even when attached later.
 *
 * <p>{@link #of(Socket)} does not record {@code DATA} or {@code TEXT}: a {@code DATA} listener starts the
 * socket reading, which would change what the test observes. {@link #withData(Socket)} records {@code DATA}
 * too. Waiting methods block the calling thread, never an event thread: call them from the test.
 */
public final class EventRecorder {

    /** How long {@link #awaitEvent(Event)} waits: 10 s. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    /**
     * One recorded emission.
     *
     * @param name   Node's name of the event ({@link Event#name()}), such as {@code "close"}
     * @param arg    the emission's value ({@link Event.Valued}): the chunk of {@code DATA}, the error of
     *               {@code ERROR}, {@code hadError} of a socket's {@code CLOSE}, the socket of {@code CONNECTION},
     *               a {@link LookupListener.Result} or {@link AttemptListener.Attempt}; {@code null} for an event
     *               without one
     * @param thread the name of the thread the listener ran on
     * @param order  the position of this emission among all this recorder saw, from 0
     */
    public record Recorded(String name, @Nullable Object arg, String thread, int order) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private final List<Recorded> events = new ArrayList<>();

    private EventRecorder() {
    }

    /**
     * Records a socket's events except {@code DATA} and {@code TEXT}: {@code lookup}, the
     * {@code connectionAttempt} events, {@code connect}, {@code ready}, {@code end}, {@code drain},
     * {@code finish}, {@code timeout}, {@code error} and {@code close}.
     *
     * @param socket the socket
     * @return a recorder of its events
     */
    public static EventRecorder of(Socket socket) {
        EventRecorder r = new EventRecorder();
        socket.on(Socket.LOOKUP, (error, address, family, host) ->
                        r.add(Socket.LOOKUP, new LookupListener.Result(error, address, family, host)))
                .on(Socket.CONNECTION_ATTEMPT, (ip, port, family, error) ->
                        r.add(Socket.CONNECTION_ATTEMPT, new AttemptListener.Attempt(ip, port, family, error)))
                .on(Socket.CONNECTION_ATTEMPT_FAILED, (ip, port, family, error) ->
                        r.add(Socket.CONNECTION_ATTEMPT_FAILED, new AttemptListener.Attempt(ip, port, family, error)))
                .on(Socket.CONNECTION_ATTEMPT_TIMEOUT, (ip, port, family, error) ->
                        r.add(Socket.CONNECTION_ATTEMPT_TIMEOUT, new AttemptListener.Attempt(ip, port, family, error)))
                .on(Socket.CONNECT, () -> r.add(Socket.CONNECT, null))
                .on(Socket.READY, () -> r.add(Socket.READY, null))
                .on(Socket.END, () -> r.add(Socket.END, null))
                .on(Socket.DRAIN, () -> r.add(Socket.DRAIN, null))
                .on(Socket.FINISH, () -> r.add(Socket.FINISH, null))
                .on(Socket.TIMEOUT, () -> r.add(Socket.TIMEOUT, null))
                .on(Socket.ERROR, error -> r.add(Socket.ERROR, error))
                .on(Socket.CLOSE, hadError -> r.add(Socket.CLOSE, hadError));
        return r;
    }

    /**
     * Records a socket's events as {@link #of(Socket)} does, and {@code DATA} too: the socket starts reading.
     *
     * @param socket the socket
     * @return a recorder of its events
     */
    public static EventRecorder withData(Socket socket) {
        EventRecorder r = of(socket);
        socket.on(Socket.DATA, chunk -> r.add(Socket.DATA, chunk));
        return r;
    }

    /**
     * Records a server's events: {@code listening}, {@code connection}, {@code drop}, {@code error} and
     * {@code close}.
     *
     * @param server the server
     * @return a recorder of its events
     */
    public static EventRecorder of(Server server) {
        EventRecorder r = new EventRecorder();
        server.on(Server.LISTENING, () -> r.add(Server.LISTENING, null))
                .on(Server.CONNECTION, socket -> r.add(Server.CONNECTION, socket))
                .on(Server.DROP, info -> r.add(Server.DROP, info))
                .on(Server.ERROR, error -> r.add(Server.ERROR, error))
                .on(Server.CLOSE, () -> r.add(Server.CLOSE, null));
        return r;
    }

    private void add(Event<?, ?> event, @Nullable Object arg) {
        lock.lock();
        try {
            events.add(new Recorded(event.name(), arg, Thread.currentThread().getName(), events.size()));
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the emissions recorded so far, in order.
     *
     * @return a snapshot, which later emissions do not change
     */
    public List<Recorded> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the names of the emissions recorded so far, in order, such as
     * {@code [connect, ready, end, finish, close]}.
     *
     * @return a snapshot
     */
    public List<String> names() {
        return events().stream().map(Recorded::name).toList();
    }

    /**
     * Returns the emissions of one event recorded so far, in order.
     *
     * @param event the event key, such as {@code Socket.ERROR}
     * @return a snapshot
     */
    public List<Recorded> events(Event<?, ?> event) {
        return events().stream().filter(r -> r.name().equals(event.name())).toList();
    }

    /**
     * Returns whether {@code event} was recorded.
     *
     * @param event the event key
     * @return whether it was emitted at least once
     */
    public boolean has(Event<?, ?> event) {
        return !events(event).isEmpty();
    }

    /**
     * Returns the bytes of every {@code DATA} recorded so far, concatenated and decoded as UTF-8 (so that a
     * character split across two chunks is decoded whole).
     *
     * @return the text received; empty without {@link #withData(Socket)}
     */
    public String text() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Recorded r : events(Socket.DATA)) {
            bytes.writeBytes((byte[]) Objects.requireNonNull(r.arg()));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Waits up to {@link #DEFAULT_WAIT} for the first emission of {@code event}.
     *
     * @param event the event key, such as {@code Socket.CLOSE}
     * @return the first emission of it
     * @throws AssertionError when it was not emitted in time, with the events recorded so far
     */
    public Recorded awaitEvent(Event<?, ?> event) {
        return awaitEvent(event, DEFAULT_WAIT);
    }

    /**
     * Waits up to {@code timeout} for the first emission of {@code event}; returns at once if it was recorded
     * already.
     *
     * @param event   the event key, such as {@code Socket.CLOSE}
     * @param timeout how long to wait at most
     * @return the first emission of it
     * @throws AssertionError when it was not emitted in time, with the events recorded so far
     */
    public Recorded awaitEvent(Event<?, ?> event, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Recorded r : events) {
                    if (r.name().equals(event.name())) {
                        return r;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no '" + event.name() + "' within " + timeout.toMillis()
                            + " ms; recorded " + names());
                }
                added.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for '" + event.name() + "'", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the recorded names, for assertion messages.
     *
     * @return the names, as {@link #names()}
     */
    @Override
    public String toString() {
        return names().toString();
    }
}
