package dev.loomnet.tests.observability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.UncaughtExceptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

/**
 * loomnet's {@link System.Logger} records, seen through {@code java.util.logging} (the JDK's default backend):
 * a server's lifecycle and a connection's close at {@code DEBUG} ({@code FINE}), its opening at {@code TRACE}
 * ({@code FINER}), and an error no listener received at {@code ERROR} ({@code SEVERE}), which still goes to the
 * uncaught exception handler.
 */
class LoggingTest {

    private static final String V4 = "127.0.0.1";

    private static ConditionFactory waiting() {
        return await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    /** Keeps the records of one logger, at {@code level} and above, while open. */
    private static final class Captured extends Handler implements AutoCloseable {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();
        private final Logger logger;
        private final Level previous;

        Captured(String name, Level level) {
            logger = Logger.getLogger(name);
            previous = logger.getLevel();
            logger.setLevel(level);
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setLevel(previous);
        }

        String messages() {
            return records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList().toString();
        }

        List<String> at(Level level, String containing) {
            return records.stream().filter(r -> r.getLevel().equals(level))
                    .map(LogRecord::getMessage).filter(m -> m.contains(containing)).toList();
        }
    }

    @Test
    void a_server_and_its_connection_log_their_lifecycle_at_debug_and_trace() {
        try (Captured server = new Captured("dev.loomnet.server", Level.FINE);
             Captured connection = new Captured("dev.loomnet.connection", Level.FINER)) {
            List<Socket> closedSides = new CopyOnWriteArrayList<>();
            Server s = Net.createServer(c -> c.on(Socket.CLOSE, hadError -> closedSides.add(c))
                    .once(Socket.DATA, chunk -> c.end("bye"))).listen(0, V4);
            int port = s.address().port();
            AtomicBoolean clientClosed = new AtomicBoolean();
            Socket client = Net.socket().on(Socket.CLOSE, hadError -> clientClosed.set(true));
            client.on(Socket.DATA, chunk -> { }).connect(port, V4).write("hello");
            waiting().until(() -> clientClosed.get() && closedSides.size() == 1);
            AtomicBoolean serverClosed = new AtomicBoolean();
            s.close(e -> serverClosed.set(true));
            waiting().untilTrue(serverClosed);

            String at = V4 + ":" + port;
            assertEquals(1, server.at(Level.FINE, " listening on " + at).stream()
                    .filter(m -> m.endsWith(" listening on " + at)).count(), server::messages);
            assertEquals(1, server.at(Level.FINE, "closed (was listening on " + at
                    + "): 1 connection(s) accepted, 0 dropped").size(), server::messages);
            String pair = at + " <-> " + V4 + ":" + client.localPort();
            assertEquals(List.of("(server side) connected: " + pair), connection.at(Level.FINER, pair).stream()
                    .map(m -> m.substring(m.indexOf('(')))
                    .toList());
            List<String> closed = connection.at(Level.FINE, "(server side) closed: " + pair);
            assertEquals(1, closed.size(), connection::messages);
            assertTrue(closed.get(0).endsWith(", 5 bytes read, 3 written, ending end"), closed::toString);
        }
    }

    @Test
    void an_error_no_listener_received_is_logged_at_error_and_still_goes_to_the_uncaught_handler(
            UncaughtExceptions uncaught) {
        try (Captured log = new Captured("dev.loomnet.uncaught", Level.SEVERE)) {
            List<Socket> closedSides = new CopyOnWriteArrayList<>();
            AtomicBoolean gotData = new AtomicBoolean();
            // the accepted socket has no ERROR listener: the reset it reads goes nowhere
            Server s = Net.createServer(c -> c.on(Socket.CLOSE, hadError -> closedSides.add(c))
                    .on(Socket.DATA, chunk -> gotData.set(true))).listen(0, V4);
            AtomicBoolean clientClosed = new AtomicBoolean();
            Socket client = Net.socket().on(Socket.CLOSE, hadError -> clientClosed.set(true));
            client.connect(s.address().port(), V4).write("hello");
            waiting().untilTrue(gotData);
            client.resetAndDestroy();
            waiting().until(() -> clientClosed.get() && closedSides.size() == 1);
            UncaughtExceptions.Uncaught u = uncaught.awaitOne(
                    e -> e instanceof NetException ne && ne.code().equals(NetException.ECONNRESET));
            AtomicBoolean serverClosed = new AtomicBoolean();
            s.close(e -> serverClosed.set(true));
            waiting().untilTrue(serverClosed);

            List<String> logged = log.at(Level.SEVERE, "uncaught exception handler of " + u.threadName() + ": ");
            assertEquals(1, logged.size(), log::messages);
            assertTrue(logged.get(0).contains("read ECONNRESET"), logged::toString);
        }
    }
}
