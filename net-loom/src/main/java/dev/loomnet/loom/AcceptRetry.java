package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * What one server's accept loop does after {@code accept} failed: libuv's answer to running out of descriptors
 * ({@link DescriptorReserve}), a warning when that closes connections, and a pause before the next attempt.
 *
 * <p>The pause matters because on Linux {@code accept4} fails with {@code EMFILE} before it looks at the
 * backlog: out of descriptors, a blocking {@code accept} returns at once instead of waiting for a client, and a
 * loop that retried at once would spin on a core for as long as the table stays full. libuv goes back to
 * waiting for the listening socket to become readable; the JDK cannot wait for that without a descriptor of
 * its own (a {@code Selector} is one), so the loop backs off instead: it pauses {@value #FIRST_PAUSE_MILLIS} ms
 * after a failure, twice as long after each further one, at most {@value #MAX_PAUSE_MILLIS} ms, and starts
 * again from the shortest pause when it closed waiting connections (more are likely on their way) or an
 * {@code accept} succeeded. A client that arrives meanwhile waits in the backlog at most that long before it
 * is served (descriptors are free again) or closed (they are not); a server that nobody connects to while
 * its process has no descriptor left tries ten times a second.
 *
 * <p>Node closes such connections without a word, which leaves an operator blind to a server that is turning
 * clients away. loomnet logs a {@code WARNING} to the {@link System.Logger} named {@value #LOGGER}: on the
 * first connection closed so, then at most once every {@value #WARNING_INTERVAL_SECONDS} s with the number
 * closed since the last warning.
 */
final class AcceptRetry {

    /** The name of the logger of the warning. */
    static final String LOGGER = "dev.loomnet.loom";
    static final long FIRST_PAUSE_MILLIS = 1;
    static final long MAX_PAUSE_MILLIS = 100;
    static final long WARNING_INTERVAL_SECONDS = 60;

    private static final System.Logger LOG = System.getLogger(LOGGER);

    private final ServerSocketChannel channel;
    private long pauseNanos = FIRST_PAUSE_MILLIS * 1_000_000;
    /** Connections closed since the last warning. */
    private long shed;
    private long lastWarning;
    private boolean warned;

    /** Called when the accept loop starts, while descriptors are free. */
    AcceptRetry(ServerSocketChannel channel) {
        this.channel = channel;
        // The logging backend reads its configuration file on first use, which needs a descriptor: not when
        // the warning is due, then.
        LOG.isLoggable(System.Logger.Level.WARNING);
        Jfr.load();                                       // its classes too, which may come from a directory
    }

    /**
     * {@code accept} on the channel failed with {@code e} (the channel is open): closes the waiting
     * connections if {@code e} means the process is out of descriptors and the reserve can be used, then
     * pauses.
     *
     * @return the error to emit as {@code Server.ERROR}, or null if the failure was handled so
     */
    @Nullable NetException failed(IOException e) {
        int closed = -1;
        if (DescriptorReserve.outOfDescriptors(e)) {
            String code = Errors.code(e);
            closed = DescriptorReserve.closeWaiting(channel, n -> warn(n, code));
            if (closed > 0) {
                pauseNanos = FIRST_PAUSE_MILLIS * 1_000_000;     // clients keep coming: look again soon
            }
        }
        NetException report = closed < 0 ? Errors.io(e, "accept") : null;
        if (closed != 0) {                                // not the repeats of a full table nobody connects to
            Jfr.acceptFailed(channel, Errors.code(e), closed, report != null);
        }
        LockSupport.parkNanos(this, pauseNanos);
        pauseNanos = Math.min(pauseNanos * 2, MAX_PAUSE_MILLIS * 1_000_000);
        return report;
    }

    /** An {@code accept} succeeded: the next failure pauses the shortest time again. */
    void succeeded() {
        pauseNanos = FIRST_PAUSE_MILLIS * 1_000_000;
    }

    private void warn(int closed, String code) {
        shed += closed;
        long now = System.nanoTime();
        if (warned && now - lastWarning < WARNING_INTERVAL_SECONDS * 1_000_000_000L) {
            return;
        }
        String where;
        try {
            java.net.SocketAddress local = channel.getLocalAddress();
            where = local == null ? "?" : Addresses.describe(local);
        } catch (IOException gone) {
            where = "?";
        }
        try {
            LOG.log(System.Logger.Level.WARNING, "Server " + where + " is out of descriptors (" + code + "): closed "
                    + shed + " connection(s) it could not accept" + (warned ? " since the last warning" : "")
                    + "; the next such warning comes " + WARNING_INTERVAL_SECONDS + " s from now at the earliest");
        } catch (RuntimeException | Error failed) {
            // A logging backend that needs more descriptors than the one free (the JDK's formatter loads the
            // time zone data from a file on first use) must not end the accept loop.
            if (failed instanceof VirtualMachineError fatal) {
                throw fatal;
            }
        }
        warned = true;
        lastWarning = now;
        shed = 0;
    }
}
