package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.loomnet.net.Listener;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The typed EventEmitter: on/once/off/listenerCount/removeAllListeners, order and chaining. */
class EventEmitterTest {

    /** Listens and closes {@code times} times, waiting for LISTENING each time; returns what listeners logged. */
    private static void listenTimes(Server server, int times) {
        for (int i = 0; i < times; i++) {
            AtomicInteger done = new AtomicInteger();
            Listener marker = done::incrementAndGet;
            server.on(Server.LISTENING, marker);                 // added last: runs after the listeners under test
            server.listen(0, Loopback.V4);
            await().atMost(EventLog.WAIT).until(() -> done.get() == 1);
            server.off(Server.LISTENING, marker);
            Loopback.closeAndWait(server);
        }
    }

    @Test
    void listeners_run_in_registration_order_and_methods_chain() {
        List<String> order = new CopyOnWriteArrayList<>();
        Server server = Net.createServer();
        Server chained = server.on(Server.LISTENING, () -> order.add("a"))
                .once(Server.LISTENING, () -> order.add("b"))
                .on(Server.LISTENING, () -> order.add("c"))
                .off(Server.CLOSE, () -> { })
                .removeAllListeners(Server.ERROR);
        assertSame(server, chained);
        listenTimes(server, 1);
        assertEquals(List.of("a", "b", "c"), order);
    }

    @Test
    void once_runs_once_and_on_runs_every_time() {
        AtomicInteger once = new AtomicInteger();
        AtomicInteger on = new AtomicInteger();
        Server server = Net.createServer().once(Server.LISTENING, once::incrementAndGet)
                .on(Server.LISTENING, on::incrementAndGet);
        assertEquals(2, server.listenerCount(Server.LISTENING));
        listenTimes(server, 2);
        assertEquals(1, once.get());
        assertEquals(2, on.get());
        assertEquals(1, server.listenerCount(Server.LISTENING));
    }

    @Test
    void the_same_listener_added_twice_runs_twice() {
        AtomicInteger calls = new AtomicInteger();
        Listener l = calls::incrementAndGet;
        Server server = Net.createServer().on(Server.LISTENING, l).on(Server.LISTENING, l);
        assertEquals(2, server.listenerCount(Server.LISTENING));
        listenTimes(server, 1);
        assertEquals(2, calls.get());
    }

    @Test
    void off_removes_the_most_recent_registration_of_that_listener() {
        List<String> order = new CopyOnWriteArrayList<>();
        Listener l = () -> order.add("l");
        // l once, then a, then l (on): off(l) must remove the last one, leaving the once registration
        Server server = Net.createServer().once(Server.LISTENING, l)
                .on(Server.LISTENING, () -> order.add("a"))
                .on(Server.LISTENING, l);
        server.off(Server.LISTENING, l);
        assertEquals(2, server.listenerCount(Server.LISTENING));
        listenTimes(server, 2);
        assertEquals(List.of("l", "a", "a"), order);
        server.off(Server.LISTENING, l);                                 // not registered any more: no-op
        assertEquals(1, server.listenerCount(Server.LISTENING));
    }

    @Test
    void remove_all_listeners_of_one_event_or_of_all_events() {
        Socket socket = Net.socket()
                .on(Socket.DATA, chunk -> { })
                .on(Socket.CLOSE, hadError -> { })
                .on(Socket.CLOSE, hadError -> { })
                .on(Socket.END, () -> { });
        assertEquals(2, socket.listenerCount(Socket.CLOSE));
        assertSame(socket, socket.removeAllListeners(Socket.CLOSE));
        assertEquals(0, socket.listenerCount(Socket.CLOSE));
        assertEquals(1, socket.listenerCount(Socket.DATA));
        assertEquals(1, socket.listenerCount(Socket.END));
        assertSame(socket, socket.removeAllListeners());
        assertEquals(0, socket.listenerCount(Socket.DATA));
        assertEquals(0, socket.listenerCount(Socket.END));
    }

    @Test
    void removed_listeners_are_not_called() {
        AtomicInteger removed = new AtomicInteger();
        AtomicInteger kept = new AtomicInteger();
        Server server = Net.createServer().on(Server.LISTENING, removed::incrementAndGet)
                .on(Server.CLOSE, removed::incrementAndGet)
                .on(Server.LISTENING, kept::incrementAndGet);
        server.removeAllListeners(Server.CLOSE);
        listenTimes(server, 1);
        assertEquals(1, removed.get());          // the LISTENING one ran, the CLOSE one was removed
        server.removeAllListeners();
        listenTimes(server, 1);
        assertEquals(1, removed.get());
        assertEquals(1, kept.get());
    }

    @Test
    void event_keys_carry_node_names() {
        assertEquals("data", Socket.DATA.name());
        assertEquals("close", Socket.CLOSE.toString());
        assertEquals("connection", Server.CONNECTION.name());
        assertEquals("listening", Server.LISTENING.name());
    }
}
