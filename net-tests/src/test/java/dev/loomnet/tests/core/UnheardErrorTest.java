package dev.loomnet.tests.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.ChildJvm;
import dev.loomnet.testing.UncaughtExceptions;
import dev.loomnet.tests.process.UnheardErrorMain;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * An {@code ERROR} no listener receives goes to the uncaught exception handler exactly once: at once where
 * events are not kept, else once no listener can receive it any more (the next connect, garbage collection,
 * JVM exit); one that a listener received, however late, never goes there.
 */
class UnheardErrorTest {

    private static final Predicate<Throwable> REFUSED =
            e -> e instanceof NetException ne && ne.code().equals(NetException.ECONNREFUSED);

    /** Connects to a closed port from this plain thread, with only a CLOSE listener, and waits for CLOSE. */
    private static Socket refusedWithoutErrorListener(int port) {
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket s = Net.connect(port, Loopback.V4);
        s.on(Socket.CLOSE, closed::set);
        EventLog.waiting().until(() -> closed.get() != null);
        assertTrue(closed.get());
        return s;
    }

    private static void nothingUncaughtFor(UncaughtExceptions uncaught, Duration period) {
        await().during(period).atMost(period.plusSeconds(5))
                .until(() -> uncaught.takeAll(e -> true).isEmpty());
    }

    @Test
    void a_late_error_listener_hears_it_and_it_is_never_reported(UncaughtExceptions uncaught) {
        Socket s = refusedWithoutErrorListener(Loopback.closedPort());
        nothingUncaughtFor(uncaught, Duration.ofMillis(300));       // a listener may still come
        List<Throwable> heard = new CopyOnWriteArrayList<>();
        s.on(Socket.ERROR, heard::add);
        EventLog.waiting().until(() -> heard.size() == 1);
        assertTrue(REFUSED.test(heard.get(0)));
        s = null;
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        nothingUncaughtFor(uncaught, Duration.ofMillis(300));
    }

    @Test
    void an_unheard_error_is_reported_once_when_the_socket_connects_again(UncaughtExceptions uncaught) {
        int port = Loopback.closedPort();
        Socket s = refusedWithoutErrorListener(port);
        nothingUncaughtFor(uncaught, Duration.ofMillis(200));
        List<Throwable> second = new CopyOnWriteArrayList<>();
        s.connect(port, Loopback.V4);
        s.on(Socket.ERROR, second::add);
        UncaughtExceptions.Uncaught u = uncaught.awaitOne(REFUSED);
        assertTrue(u.threadName().startsWith("loomnet-"), u.threadName());
        EventLog.waiting().until(() -> second.size() == 1);              // the new connection's own error
        assertTrue(second.get(0) != u.error());
        nothingUncaughtFor(uncaught, Duration.ofMillis(200));
    }

    @Test
    void an_unheard_error_is_reported_once_its_socket_is_garbage_collected(UncaughtExceptions uncaught) {
        refusedWithoutErrorListener(Loopback.closedPort());           // the socket is dropped here
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return uncaught.takeAll(REFUSED).size() == 1;
        });
        nothingUncaughtFor(uncaught, Duration.ofMillis(200));
    }

    @Test
    void an_unheard_error_of_a_socket_created_in_a_listener_is_reported_at_once(UncaughtExceptions uncaught) {
        int closed = Loopback.closedPort();
        AtomicReference<Boolean> innerClosed = new AtomicReference<>();
        Server server = Net.createServer(s -> {
            Net.connect(closed, Loopback.V4).on(Socket.CLOSE, innerClosed::set);   // no ERROR listener
            s.end();
        }).listen(0, Loopback.V4);
        Socket client = Net.connect(server.address().port(), Loopback.V4).resume();
        EventLog.waiting().until(() -> innerClosed.get() != null);
        UncaughtExceptions.Uncaught u = uncaught.awaitOne(REFUSED);
        assertTrue(u.threadName().startsWith("loomnet-"), u.threadName());
        EventLog.withoutData(client).awaitClosed();
        Loopback.closeAndWait(server);
    }

    @Test
    void an_unheard_error_is_reported_when_the_jvm_exits() throws Exception {
        try (ChildJvm child = ChildJvm.onClassPath(UnheardErrorMain.class, String.valueOf(Loopback.closedPort()))) {
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            assertEquals(1, child.lines().stream().filter(l -> l.contains("ECONNREFUSED")
                    && l.contains("NetException")).count(), String.valueOf(child.lines()));
        }
    }
}
