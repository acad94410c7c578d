package dev.loomnet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The scale program of issue 5 (a program, not a test): how many concurrent loopback connections one loomnet
 * server holds with {@code setTimeout} armed on every socket, and what each costs.
 *
 * <p>For each connection count N it starts a fresh {@link ScaleServer} in a child JVM (server and client
 * each get their own descriptor budget: the hard limit here is 20,000 per process), then, in this JVM:
 * <ol>
 *   <li>asks the child for its stats (RSS, heap used after GC) with no connection;</li>
 *   <li>opens N connections with blocking {@link Socket}s on virtual threads, at most {@code --concurrency}
 *       (64) connecting at a time, each bound to an explicit source address and port ({@code 127.0.0.2},
 *       {@code 127.0.0.3}, ... with ports 10000-19999 on each) so the kernel does not search for a free
 *       ephemeral port, with {@code SO_LINGER 0} so closing sends RST and leaves no {@code TIME_WAIT}; each
 *       connection sends one byte and waits for its echo;</li>
 *   <li>holds them for {@code --hold} seconds (default 30) while the server's timeouts
 *       ({@code --timeout-ms}, default a third of the hold, so each fires once and is counted) run;</li>
 *   <li>asks for the stats again; tells the child to watch its connection count, closes every client
 *       socket, and takes the child's time until {@code server.connections()} is 0.</li>
 * </ol>
 * The client is plain JDK I/O: it is the load, not the subject. Every wait is bounded, and the child is
 * killed in a {@code finally}.
 *
 * <pre>
 * java -cp net-tests/target/benchmarks.jar dev.loomnet.bench.Scale [--sizes 1000,5000,10000,max]
 *      [--hold 30] [--timeout-ms MS] [--concurrency 64] [--server-jvm-flags "..."]
 * </pre>
 * {@code max} is the descriptor limit of this process minus 300 (about 19,700 here). The child runs
 * {@code java [--server-jvm-flags] -cp <this class path> dev.loomnet.bench.ScaleServer TIMEOUT_MS}; the
 * default flags are none (the JVM's defaults, as the harness runs the Java servers).
 */
public final class Scale {

    private static final PrintStream OUT = System.out;
    private static final int PORTS_PER_ADDRESS = 10_000;
    private static final int FIRST_PORT = 10_000;
    private static final long CHILD_REPLY_SECONDS = 60;

    private Scale() {
    }

    /** One row of the table. */
    private record Result(int n, int connected, int failed, String firstError, double connectSeconds,
                          Map<String, Long> before, Map<String, Long> after, long clientCloseMs,
                          long serverCloseMs, long left) {
    }

    /**
     * Runs the program.
     *
     * @param args see the class comment
     * @throws Exception on a setup failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value pairs: " + Arrays.toString(args));
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        long limit = fdLimit();
        int max = (int) Math.min(Integer.MAX_VALUE, limit - 300);
        int holdSeconds = Integer.parseInt(opts.getOrDefault("hold", "30"));
        long timeoutMs = Long.parseLong(opts.getOrDefault("timeout-ms",
                String.valueOf(Math.max(100, holdSeconds * 1000L / 3))));
        int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "64"));
        String jvmFlags = opts.getOrDefault("server-jvm-flags", System.getenv().getOrDefault("SCALE_SERVER_JVM_FLAGS", ""));
        List<Integer> sizes = new ArrayList<>();
        for (String s : opts.getOrDefault("sizes", "1000,5000,10000,max").split(",")) {
            int n = s.equals("max") ? max : Integer.parseInt(s.trim());
            if (n > max) {
                throw new IllegalArgumentException(n + " connections exceed the descriptor budget (" + max + ")");
            }
            sizes.add(n);
        }
        OUT.printf(Locale.ROOT, "scale: java %s, %d CPUs, descriptor limit %d (max N %d), hold %d s, timeout %d ms,"
                        + " concurrency %d, server JVM flags [%s]%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), limit, max, holdSeconds, timeoutMs, concurrency, jvmFlags);
        List<Result> results = new ArrayList<>();
        for (int n : sizes) {
            Result r = run(n, holdSeconds, timeoutMs, concurrency, jvmFlags);
            results.add(r);
            OUT.printf(Locale.ROOT, "  N=%d done: connected %d, failed %d%s%n", n, r.connected, r.failed,
                    r.firstError.isEmpty() ? "" : " (first error: " + r.firstError + ")");
        }
        printTable(results);
    }

    private static Result run(int n, int holdSeconds, long timeoutMs, int concurrency, String jvmFlags)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String f : jvmFlags.trim().split("\\s+")) {
            if (!f.isEmpty()) {
                cmd.add(f);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ScaleServer.class.getName(),
                String.valueOf(timeoutMs)));
        Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Socket[] sockets = new Socket[n];
        try {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofPlatform().daemon(true).name("scale-child-out").start(() -> pump(child.getInputStream(), lines));
            Writer toChild = new java.io.OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
            String ready = expect(lines, "READY", child);
            int port = fields(ready).get("port").intValue();
            Map<String, Long> before = stats(toChild, lines, child);

            AtomicInteger connected = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            AtomicReference<String> firstError = new AtomicReference<>("");
            InetSocketAddress server = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
            Semaphore permits = new Semaphore(concurrency);
            long t0 = System.nanoTime();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < n; i++) {
                    int index = i;
                    permits.acquire();
                    pool.execute(() -> {
                        try {
                            sockets[index] = open(index, server);
                            connected.incrementAndGet();
                        } catch (IOException | RuntimeException e) {
                            failed.incrementAndGet();
                            firstError.compareAndSet("", index + ": " + e);
                        } finally {
                            permits.release();
                        }
                    });
                }
                pool.shutdown();
                if (!pool.awaitTermination(180, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("connecting " + n + " took over 180 s");
                }
            }
            double connectSeconds = (System.nanoTime() - t0) / 1e9;

            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
            Map<String, Long> after = stats(toChild, lines, child);

            send(toChild, "watchclose");
            expect(lines, "WATCHING", child);
            long c0 = System.nanoTime();
            for (Socket s : sockets) {
                closeQuietly(s);
            }
            long clientCloseMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c0);
            Map<String, Long> closed = fields(expect(lines, "CLOSED", child));
            send(toChild, "quit");
            return new Result(n, connected.get(), failed.get(), firstError.get(), connectSeconds, before, after,
                    clientCloseMs, closed.get("ms"), closed.get("left"));
        } finally {
            for (Socket s : sockets) {
                closeQuietly(s);
            }
            child.destroy();
            if (!child.waitFor(5, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                child.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Connection {@code index}: bound to 127.0.0.(2 + index / 10000), port 10000 + index % 10000. */
    private static Socket open(int index, InetSocketAddress server) throws IOException {
        InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + index / PORTS_PER_ADDRESS)});
        Socket s = new Socket();
        try {
            s.setSoLinger(true, 0);                         // close with RST: no TIME_WAIT
            s.setReuseAddress(true);
            s.setTcpNoDelay(true);
            s.bind(new InetSocketAddress(source, FIRST_PORT + index % PORTS_PER_ADDRESS));
            s.connect(server, 10_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(index & 0x7f);
            out.flush();
            int echo = s.getInputStream().read();
            if (echo != (index & 0x7f)) {
                throw new IOException("bad echo " + echo);
            }
            return s;
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    private static void printTable(List<Result> results) {
        OUT.println();
        OUT.println("| N | connected | failed | connect s | client conn/s | server accept/s | heap used MB before/after |"
                + " heap B/conn | RSS MB before/after | RSS B/conn | threads | timeouts fired | client close ms |"
                + " server close ms | left |");
        OUT.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            long heapBefore = r.before.get("heapUsed");
            long heapAfter = r.after.get("heapUsed");
            long rssBefore = r.before.get("rssKb") * 1024;
            long rssAfter = r.after.get("rssKb") * 1024;
            long span = r.after.get("acceptSpanNanos");
            long accepted = r.after.get("accepted");
            double acceptRate = span > 0 ? (accepted - 1) / (span / 1e9) : 0;
            OUT.printf(Locale.ROOT, "| %d | %d | %d | %.2f | %.0f | %.0f | %.1f / %.1f | %d | %.1f / %.1f | %d | %d | %d | %d | %d | %d |%n",
                    r.n, r.connected, r.failed, r.connectSeconds, r.connected / r.connectSeconds, acceptRate,
                    heapBefore / 1e6, heapAfter / 1e6, perConn(heapAfter - heapBefore, r.connected),
                    rssBefore / 1e6, rssAfter / 1e6, perConn(rssAfter - rssBefore, r.connected),
                    r.after.get("threads"), r.after.get("timeouts"), r.clientCloseMs, r.serverCloseMs, r.left);
        }
        Result last = results.get(results.size() - 1);
        long heapPer = perConn(last.after.get("heapUsed") - last.before.get("heapUsed"), last.connected);
        long rssPer = perConn((last.after.get("rssKb") - last.before.get("rssKb")) * 1024, last.connected);
        OUT.println();
        OUT.printf(Locale.ROOT, "1M connections, from the N=%d row: heap %.1f GB live (%d B/conn), RSS %.1f GB"
                        + " (%d B/conn) on top of the JVM's baseline; plus 1,000,000 descriptors in the server"
                        + " (ulimit -n), kernel socket memory (not in RSS), and for a loopback client 100 source"
                        + " addresses at 10,000 ports each (or several client hosts).%n",
                last.n, heapPer * 1e6 / 1e9, heapPer, rssPer * 1e6 / 1e9, rssPer);
        OUT.println("Notes: heap is used-after-System.gc() in the server child; RSS is VmRSS read before that GC;"
                + " 'timeouts fired' counts TIMEOUT events (each socket's fires once if timeout < hold);"
                + " 'server close ms' runs from just before the client closes its first socket until"
                + " server.connections() is 0.");
    }

    private static long perConn(long bytes, int n) {
        return n == 0 ? 0 : bytes / n;
    }

    private static Map<String, Long> stats(Writer toChild, BlockingQueue<String> lines, Process child)
            throws Exception {
        send(toChild, "stats");
        return fields(expect(lines, "STATS", child));
    }

    private static void send(Writer toChild, String command) throws IOException {
        toChild.write(command + "\n");
        toChild.flush();
    }

    /** Waits (bounded) for a child line starting with {@code prefix}; other lines are passed through. */
    private static String expect(BlockingQueue<String> lines, String prefix, Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_REPLY_SECONDS);
        for (;;) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new IllegalStateException("no " + prefix + " from the server child within "
                        + CHILD_REPLY_SECONDS + " s (alive: " + child.isAlive() + ")");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            OUT.println("  server: " + line);
        }
    }

    /** The numeric {@code key=value} fields of a line. */
    private static Map<String, Long> fields(String line) {
        Map<String, Long> out = new HashMap<>();
        for (String token : line.split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                try {
                    out.put(token.substring(0, eq), Long.parseLong(token.substring(eq + 1)));
                } catch (NumberFormatException ignored) {
                    // e.g. java=25.0.3+9
                }
            }
        }
        return out;
    }

    private static void pump(InputStream in, BlockingQueue<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // the child ended
        }
    }

    /** This process's open-files limit (the soft one, which the JVM raises to the hard one on Linux). */
    private static long fdLimit() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (l.startsWith("Max open files")) {
                    String[] f = l.substring("Max open files".length()).trim().split("\\s+");
                    return Math.min(Long.parseLong(f[0]), Long.parseLong(f[1]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return 1024;
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
