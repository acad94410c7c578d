package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;

import dev.loomnet.net.Socket;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records a socket's events as short strings ({@code connect}, {@code ready}, {@code data}, {@code end},
 * {@code finish}, {@code error:CODE}, {@code close:false}) and the bytes it received, for order assertions.
 * Attach it before connecting (or inside a connect or connection listener) so that it sees every event.
 */
final class EventLog {

    static final Duration WAIT = Duration.ofSeconds(10);

    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    /** Records every event except {@code data} (adding a data listener starts reading). */
    static EventLog withoutData(Socket socket) {
        EventLog log = new EventLog();
        socket.on(Socket.CONNECT, () -> log.events.add("connect"))
                .on(Socket.READY, () -> log.events.add("ready"))
                .on(Socket.END, () -> log.events.add("end"))
                .on(Socket.FINISH, () -> log.events.add("finish"))
                .on(Socket.ERROR, e -> {
                    log.errors.add(e);
                    log.events.add("error:" + code(e));
                })
                .on(Socket.CLOSE, hadError -> log.events.add("close:" + hadError));
        return log;
    }

    /** Records every event, {@code data} included, and keeps the received bytes. */
    static EventLog of(Socket socket) {
        EventLog log = withoutData(socket);
        socket.on(Socket.DATA, chunk -> {
            synchronized (log.received) {
                log.received.write(chunk);
            }
            log.events.add("data");
        });
        return log;
    }

    static String code(Throwable e) {
        return e instanceof dev.loomnet.net.NetException ne ? ne.code() : e.getClass().getSimpleName();
    }

    byte[] received() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    String receivedText() {
        return new String(received(), java.nio.charset.StandardCharsets.UTF_8);
    }

    boolean closed() {
        return events.stream().anyMatch(e -> e.startsWith("close:"));
    }

    EventLog awaitClosed() {
        waiting().until(this::closed);
        return this;
    }

    /** Awaitility with a short poll interval (the default 100 ms would dominate these fast tests). */
    static org.awaitility.core.ConditionFactory waiting() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    /** The events with each run of consecutive {@code data} folded into one {@code data}. */
    List<String> folded() {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            if (e.equals("data") && !out.isEmpty() && out.get(out.size() - 1).equals("data")) {
                continue;
            }
            out.add(e);
        }
        return out;
    }
}
