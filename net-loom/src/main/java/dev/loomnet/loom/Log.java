package dev.loomnet.loom;

import dev.loomnet.net.AddressInfo;
import dev.loomnet.net.DropInfo;
import java.lang.System.Logger.Level;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What loomnet tells its {@link System.Logger}s (the JDK's logging facade: {@code java.util.logging} unless the
 * application installs another backend). Each message is built only when its level is enabled; nothing is
 * logged per read or write.
 * <ul>
 *   <li>{@value #SERVER}: a server listening, closed ({@code DEBUG}), a connection dropped for
 *       {@code maxConnections} ({@code DEBUG}).</li>
 *   <li>{@value #CONNECTION}: a connection made ({@code TRACE}) and closed, with how long it was open, its bytes
 *       and how it ended ({@code DEBUG}).</li>
 *   <li>{@value #UNCAUGHT}: an error handed to an uncaught exception handler ({@code ERROR}): an {@code ERROR}
 *       event no listener received, or a listener that threw. The handler still gets it (and prints its stack
 *       trace by default); this line makes it visible to a logging setup.</li>
 *   <li>{@value AcceptRetry#LOGGER}: connections closed for lack of descriptors ({@code WARNING}, rate-limited;
 *       {@link AcceptRetry}).</li>
 * </ul>
 * A logging backend that fails (or needs a descriptor the process does not have) never stops loomnet: what it
 * throws is dropped.
 */
final class Log {

    static final String SERVER = "dev.loomnet.server";
    static final String CONNECTION = "dev.loomnet.connection";
    static final String UNCAUGHT = "dev.loomnet.uncaught";

    private static final System.Logger SERVER_LOG = System.getLogger(SERVER);
    private static final System.Logger CONNECTION_LOG = System.getLogger(CONNECTION);
    private static final System.Logger UNCAUGHT_LOG = System.getLogger(UNCAUGHT);

    private Log() {
    }

    static void serverListening(LoomServer server, @Nullable AddressInfo at) {
        if (enabled(SERVER_LOG, Level.DEBUG)) {
            log(SERVER_LOG, Level.DEBUG, "Server " + server.id + " listening on " + text(at));
        }
    }

    static void serverClosed(LoomServer server, @Nullable AddressInfo lastAddress, long accepted, long dropped) {
        if (enabled(SERVER_LOG, Level.DEBUG)) {
            log(SERVER_LOG, Level.DEBUG, "Server " + server.id + " closed (was listening on " + text(lastAddress)
                    + "): " + accepted + " connection(s) accepted, " + dropped + " dropped");
        }
    }

    static void drop(LoomServer server, @Nullable DropInfo info, int maxConnections) {
        if (enabled(SERVER_LOG, Level.DEBUG)) {
            String from = info == null ? "" : " from " + info.remoteAddress() + ":" + info.remotePort();
            log(SERVER_LOG, Level.DEBUG, "Server " + server.id + " dropped a connection" + from + ": maxConnections ("
                    + maxConnections + ") are open");
        }
    }

    static void connectionOpened(LoomSocket socket, Link link) {
        if (enabled(CONNECTION_LOG, Level.TRACE)) {
            log(CONNECTION_LOG, Level.TRACE, "Socket " + socket.id + " " + side(socket) + " connected: "
                    + text(Addresses.local(link)) + " <-> " + text(Addresses.remote(link, false)));
        }
    }

    static void connectionClosed(LoomSocket socket, Link link, @Nullable Throwable error) {
        long connectedAt = link.connectedAt();
        if (connectedAt != 0 && enabled(CONNECTION_LOG, Level.DEBUG)) {
            Ending ending = Ending.of(socket, link, error);
            log(CONNECTION_LOG, Level.DEBUG, "Socket " + socket.id + " " + side(socket) + " closed: "
                    + text(Addresses.local(link)) + " <-> " + text(Addresses.remote(link, false)) + ", open "
                    + Duration.ofNanos(System.nanoTime() - connectedAt) + ", " + link.bytesRead() + " bytes read, "
                    + link.writer.accepted() + " written, ending " + ending
                    + (ending == Ending.ERROR ? " " + Ending.code(error) : ""));
        }
    }

    /** {@code error} goes to {@code thread}'s uncaught exception handler next. */
    static void uncaught(Thread thread, Throwable error) {
        if (enabled(UNCAUGHT_LOG, Level.ERROR)) {
            log(UNCAUGHT_LOG, Level.ERROR, "An error no listener received (or a listener threw) goes to the uncaught "
                    + "exception handler of " + thread.getName() + ": " + error);
        }
    }

    private static String side(LoomSocket socket) {
        return socket.server != null ? "(server side)" : "(client side)";
    }

    private static String text(@Nullable AddressInfo a) {
        if (a == null) {
            return "?";
        }
        if (a.isUnix()) {
            return a.address();
        }
        return a.family().equals(AddressInfo.IPV6) ? "[" + a.address() + "]:" + a.port() : a.address() + ":" + a.port();
    }

    private static boolean enabled(System.Logger logger, Level level) {
        try {
            return logger.isLoggable(level);
        } catch (RuntimeException failed) {
            return false;
        }
    }

    private static void log(System.Logger logger, Level level, String message) {
        try {
            logger.log(level, message);
        } catch (RuntimeException failed) {
            // a failing backend must not break a close or an accept loop
        }
    }
}
