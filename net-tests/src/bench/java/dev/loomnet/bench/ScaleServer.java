package dev.loomnet.bench;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server side of {@link Scale}, run in its own JVM (so it has its own descriptor budget): a loomnet
 * server on {@code 127.0.0.1}, an ephemeral port, that arms {@code setTimeout} on every accepted socket
 * (counting the {@code TIMEOUT}s), echoes what it reads, and answers commands on stdin, one per line:
 *
 * <ul>
 *   <li>{@code stats}: prints {@code STATS key=value...}: open connections ({@code server.connections()}),
 *       accepted, VmRSS and thread count from {@code /proc/self/status} (read first), then heap used after
 *       {@code System.gc()}, timeouts fired, errors, and the span between the first and the last accept.</li>
 *   <li>{@code watchclose}: prints {@code WATCHING}, then polls {@code server.connections()} every
 *       millisecond until it is 0 (at most 60 s) and prints {@code CLOSED ms=... left=...}: the time from
 *       the command (sent just before the client starts closing) until the server has closed them all.</li>
 *   <li>{@code quit} or end of input: exits.</li>
 * </ul>
 *
 * Usage: {@code ScaleServer TIMEOUT_MS}. Prints {@code READY port=...} once listening.
 */
public final class ScaleServer {

    private ScaleServer() {
    }

    /**
     * Runs the server until {@code quit} or end of input.
     *
     * @param args {@code TIMEOUT_MS}
     * @throws Exception if reading stdin fails
     */
    public static void main(String[] args) throws Exception {
        long timeoutMs = Long.parseLong(args[0]);
        LongAdder accepted = new LongAdder();
        LongAdder timeouts = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicLong firstAccept = new AtomicLong();
        AtomicLong lastAccept = new AtomicLong();
        Duration timeout = Duration.ofMillis(timeoutMs);
        Server server = Net.createServer(ServerOptions.builder().noDelay(true).build(), socket -> {
            long now = System.nanoTime();
            firstAccept.compareAndSet(0, now);
            lastAccept.accumulateAndGet(now, Math::max);
            accepted.increment();
            socket.setTimeout(timeout, timeouts::increment);
            socket.on(Socket.DATA, socket::write);
            socket.on(Socket.ERROR, error -> errors.increment());   // the client closes with RST: ECONNRESET
        });
        server.listen(0, "127.0.0.1", 0, () -> {
            System.out.println("READY port=" + server.address().port() + " pid=" + ProcessHandle.current().pid()
                    + " java=" + Runtime.version());
            System.out.flush();
        });
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "stats" -> {
                    long rssKb = status("VmRSS:");
                    long threads = status("Threads:");
                    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
                    System.gc();
                    System.gc();
                    long heapUsed = memory.getHeapMemoryUsage().getUsed();
                    long heapCommitted = memory.getHeapMemoryUsage().getCommitted();
                    long span = lastAccept.get() - firstAccept.get();
                    System.out.println("STATS conns=" + server.connections() + " accepted=" + accepted.sum()
                            + " rssKb=" + rssKb + " heapUsed=" + heapUsed + " heapCommitted=" + heapCommitted
                            + " threads=" + threads + " timeouts=" + timeouts.sum() + " errors=" + errors.sum()
                            + " acceptSpanNanos=" + span);
                }
                case "watchclose" -> {
                    long start = System.nanoTime();
                    System.out.println("WATCHING");
                    System.out.flush();
                    long limit = start + TimeUnit.SECONDS.toNanos(60);
                    while (server.connections() > 0 && System.nanoTime() - limit < 0) {
                        Thread.sleep(1);
                    }
                    System.out.println("CLOSED ms=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                            + " left=" + server.connections());
                }
                case "quit" -> {
                    System.out.flush();
                    System.exit(0);
                }
                default -> System.out.println("UNKNOWN " + line);
            }
            System.out.flush();
        }
        System.exit(0);
    }

    /** A numeric field of {@code /proc/self/status} (kB for memory lines), or -1. */
    private static long status(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith(key)) {
                    return Long.parseLong(l.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}
