package dev.loomnet.tests.flow;

import dev.loomnet.net.NetException;
import dev.loomnet.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records one socket's events as short strings, with the state the socket reports inside each listener:
 * {@code data:<text>}, {@code end:<readyState>}, {@code finish:<readyState>}, {@code error:<code>},
 * {@code close:<hadError>}. Attach it before the socket can emit anything (before {@code connect}, or in the
 * connection listener).
 */
final class Trace {

    final List<String> events = new CopyOnWriteArrayList<>();

    static Trace of(Socket socket) {
        Trace t = ofLifecycle(socket);
        socket.on(Socket.DATA, chunk -> t.events.add("data:" + new String(chunk, StandardCharsets.UTF_8)));
        return t;
    }

    /** Records everything but {@code DATA}, so the socket does not start flowing (for the blocking style). */
    static Trace ofLifecycle(Socket socket) {
        Trace t = new Trace();
        socket.on(Socket.END, () -> t.events.add("end:" + socket.readyState().nodeName()
                        + (socket.destroyed() ? ":destroyed" : "")))
                .on(Socket.FINISH, () -> t.events.add("finish:" + socket.readyState().nodeName()
                        + (socket.destroyed() ? ":destroyed" : "")))
                .on(Socket.ERROR, e -> t.events.add("error:" + (e instanceof NetException ne ? ne.code() : e)))
                .on(Socket.CLOSE, hadError -> t.events.add("close:" + hadError));
        return t;
    }

    /** Also keeps the error of {@code socket} in {@code error}. */
    Trace also(Socket socket, java.util.concurrent.atomic.AtomicReference<Throwable> error) {
        socket.on(Socket.ERROR, error::set);
        return this;
    }

    boolean closed() {
        return events.stream().anyMatch(e -> e.startsWith("close:"));
    }

    long count(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).count();
    }

    /** The events without those starting with {@code prefix} (for an event whose position may vary). */
    List<String> without(String prefix) {
        return events.stream().filter(e -> !e.startsWith(prefix)).toList();
    }

    /** Whether {@code first} was recorded before {@code second}. */
    boolean before(String first, String second) {
        int a = -1;
        int b = -1;
        for (int i = 0; i < events.size(); i++) {
            if (a < 0 && events.get(i).startsWith(first)) {
                a = i;
            }
            if (b < 0 && events.get(i).startsWith(second)) {
                b = i;
            }
        }
        return a >= 0 && b >= 0 && a < b;
    }

    @Override
    public String toString() {
        return events.toString();
    }
}
