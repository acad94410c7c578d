package dev.loomnet.bench.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS benchmark's load generator (the TCP harness's has no TLS), on the JDK's {@link SSLSocket} and
 * platform threads, loopback only. Prints one JSON line:
 * <ul>
 *   <li>{@code stream}: {@code --conns} connections (all handshaken first; with {@code --staggered true} each
 *       starts streaming as soon as its handshake is done, so later handshakes run beside streaming ones) each write {@code --write-size} chunks as fast as the socket
 *       takes them on one thread while another reads the echo; after the window the writers stop, the echo is
 *       drained and the bytes and CRC32C of sent and received compared ({@code verified}). Reports echoed
 *       {@code mb_per_s} (10^6 B/s) in the window.</li>
 *   <li>{@code handshake}: {@code --conns} workers each connect, handshake, send one byte, read its echo and
 *       close, in a loop. {@code --resume false} gives every connection a fresh client {@code SSLContext}
 *       (a full handshake each time); {@code --resume true} shares one, whose session cache resumes the
 *       previous session. Reports {@code handshakes_per_s} in the window.</li>
 * </ul>
 * Both report the server's CPU ({@code server_cpu_pct}, from {@code /proc/PID/stat} of {@code --server-pid}),
 * the load generator's and the machine's busy share over the window, and {@code errors}.
 *
 * <p>usage: {@code TlsLoad stream|handshake --port P --ca CERT_PEM [--conns N] [--warmup S] [--duration S]
 * [--write-size B] [--staggered true|false] [--resume true|false] [--server-pid PID]}
 */
public final class TlsLoad {

    private static final long CLK_TCK = 100;
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    private TlsLoad() {
    }

    /**
     * Runs one scenario and prints its JSON line.
     *
     * @param args see the class comment
     * @throws Exception if the scenario cannot run
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int port = Integer.parseInt(opt.getOrDefault("port", "0"));
        int conns = Integer.parseInt(opt.getOrDefault("conns", "16"));
        long warmup = Long.parseLong(opt.getOrDefault("warmup", "3"));
        long duration = Long.parseLong(opt.getOrDefault("duration", "8"));
        long serverPid = Long.parseLong(opt.getOrDefault("server-pid", "-1"));
        TrustManagerFactory trust = trust(Path.of(opt.getOrDefault("ca", "cert.pem")));
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(warmup + duration + 60));
                System.err.println("TlsLoad: watchdog: time limit reached");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        String json = switch (args[0]) {
            case "stream" -> stream(port, conns, Integer.parseInt(opt.getOrDefault("write-size", "16384")),
                    Boolean.parseBoolean(opt.getOrDefault("staggered", "false")), warmup, duration, serverPid, context(trust));
            case "handshake" -> handshake(port, conns, Boolean.parseBoolean(opt.getOrDefault("resume", "false")),
                    warmup, duration, serverPid, trust);
            default -> throw new IllegalArgumentException("scenario must be stream or handshake: " + args[0]);
        };
        System.out.println(json);
        watchdog.interrupt();
        System.exit(0);
    }

    private static TrustManagerFactory trust(Path caPem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            store.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf;
    }

    private static SSLContext context(TrustManagerFactory trust) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trust.getTrustManagers(), null);
        return ctx;
    }

    private static SSLSocket open(SSLContext ctx, int port) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        s.setTcpNoDelay(true);
        s.setSoTimeout(HANDSHAKE_TIMEOUT_MS);            // a stalled handshake fails here instead of hanging the run
        try {
            s.startHandshake();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        s.setSoTimeout(0);
        return s;
    }

    /** One streaming connection: its counts and checksums. */
    private static final class Flow {
        final SSLSocket socket;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final CRC32C sentCrc = new CRC32C();
        final CRC32C receivedCrc = new CRC32C();
        volatile boolean failed;

        Flow(SSLSocket socket) {
            this.socket = socket;
        }
    }

    private static String stream(int port, int conns, int writeSize, boolean staggered, long warmup, long duration,
                                 long serverPid, SSLContext ctx) throws Exception {
        byte[] chunk = new byte[writeSize];
        new SecureRandom().nextBytes(chunk);
        AtomicBoolean stop = new AtomicBoolean();
        List<Flow> flows = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            try {
                flows.add(new Flow(open(ctx, port)));
            } catch (IOException e) {
                for (Flow f : flows) {
                    f.socket.close();
                }
                return new Json().str("scenario", "stream").num("conns", conns).bool("ok", false)
                        .str("error", "connection " + (i + 1) + " of " + conns + " failed to connect/handshake"
                                + (staggered ? " (after " + i + " were streaming): " : ": ") + e).toString();
            }
            if (staggered) {
                start(flows.get(i), chunk, stop, writers, readers);
            }
        }
        if (!staggered) {
            for (Flow f : flows) {
                start(f, chunk, stop, writers, readers);
            }
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
        long before = flows.stream().mapToLong(f -> f.received.get()).sum();
        Snap a = Snap.take(serverPid);
        Thread.sleep(TimeUnit.SECONDS.toMillis(duration));
        Snap b = Snap.take(serverPid);
        long after = flows.stream().mapToLong(f -> f.received.get()).sum();
        stop.set(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (Thread w : writers) {
            w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        while (System.nanoTime() < deadline
                && flows.stream().anyMatch(f -> !f.failed && f.received.get() < f.sent.get())) {
            Thread.sleep(10);
        }
        long stuckWriters = writers.stream().filter(Thread::isAlive).count();
        long undrained = flows.stream().filter(f -> f.received.get() < f.sent.get()).count();
        boolean verified = true;
        int errors = 0;
        for (Flow f : flows) {
            f.socket.close();                             // ends the reader
        }
        for (Thread r : readers) {
            r.join(TimeUnit.SECONDS.toMillis(5));
        }
        for (Flow f : flows) {
            if (f.failed) {
                errors++;
            }
            if (f.failed || f.received.get() != f.sent.get() || f.receivedCrc.getValue() != f.sentCrc.getValue()) {
                verified = false;
            }
        }
        double secs = (b.nanos - a.nanos) / 1e9;
        Json j = new Json().str("scenario", "stream").num("conns", conns).num("write_size", writeSize)
                .num("mb_per_s", (after - before) / secs / 1e6).bool("verified", verified).num("errors", errors)
                .num("writers_blocked_after_20s", stuckWriters).num("conns_not_drained_after_20s", undrained);
        b.cpuFields(j, a);
        return j.bool("ok", verified && errors == 0).toString();
    }

    /** Starts a flow's writer (16 KiB chunks until {@code stop}) and reader (counts and checksums the echo). */
    private static void start(Flow f, byte[] chunk, AtomicBoolean stop, List<Thread> writers, List<Thread> readers) {
        writers.add(Thread.ofPlatform().daemon().start(() -> {
            try {
                OutputStream out = f.socket.getOutputStream();
                while (!stop.get()) {
                    out.write(chunk);
                    f.sentCrc.update(chunk);
                    f.sent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                f.failed = true;
            }
        }));
        readers.add(Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                InputStream in = f.socket.getInputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    f.receivedCrc.update(buf, 0, n);
                    f.received.addAndGet(n);
                }
            } catch (IOException e) {
                if (!stop.get()) {
                    f.failed = true;
                }
            }
        }));
    }

    private static String handshake(int port, int workers, boolean resume, long warmup, long duration,
                                    long serverPid, TrustManagerFactory trust) throws Exception {
        SSLContext shared = context(trust);
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicReference<String> firstError = new AtomicReference<>("");
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                byte[] one = {42};
                while (!stop.get()) {
                    try (SSLSocket s = open(resume ? shared : context(trust), port)) {
                        s.getOutputStream().write(one);
                        if (s.getInputStream().read() != 42) {
                            errors.increment();
                            continue;
                        }
                        done.increment();
                    } catch (Exception e) {
                        errors.increment();
                        firstError.compareAndSet("", e.toString());
                    }
                }
            }));
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
        long before = done.sum();
        long errorsBefore = errors.sum();
        Snap a = Snap.take(serverPid);
        Thread.sleep(TimeUnit.SECONDS.toMillis(duration));
        Snap b = Snap.take(serverPid);
        long after = done.sum();
        long windowErrors = errors.sum() - errorsBefore;
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(20));
        }
        double secs = (b.nanos - a.nanos) / 1e9;
        Json j = new Json().str("scenario", resume ? "handshake-resume" : "handshake-full").num("workers", workers)
                .num("handshakes_per_s", (after - before) / secs).num("errors", windowErrors)
                .str("first_error", firstError.get());
        b.cpuFields(j, a);
        return j.bool("ok", windowErrors == 0 && after > before).toString();
    }

    /** CPU counters at one instant: the server process's and this process's ticks, the machine's. */
    private record Snap(long nanos, long serverTicks, long selfTicks, long machBusy, long machTotal) {

        static Snap take(long serverPid) {
            long[] mach = machine();
            return new Snap(System.nanoTime(), serverPid > 0 ? ticks(serverPid) : -1, ticks(ProcessHandle.current().pid()),
                    mach[0], mach[1]);
        }

        void cpuFields(Json j, Snap a) {
            double secs = (nanos - a.nanos) / 1e9;
            if (serverTicks >= 0 && a.serverTicks >= 0) {
                j.num("server_cpu_pct", 100.0 * (serverTicks - a.serverTicks) / CLK_TCK / secs);
            }
            j.num("client_cpu_pct", 100.0 * (selfTicks - a.selfTicks) / CLK_TCK / secs);
            if (machTotal > a.machTotal) {
                j.num("machine_busy_pct", 100.0 * (machBusy - a.machBusy) / (double) (machTotal - a.machTotal));
            }
        }

        /** utime + stime of a process, in clock ticks; -1 if unreadable. */
        private static long ticks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);   // fields 14 and 15 of proc(5)
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** {busy, total} jiffies of the whole machine from /proc/stat. */
        private static long[] machine() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                return new long[] {total - idle, total};
            } catch (IOException | RuntimeException e) {
                return new long[] {0, 0};
            }
        }
    }

    /** A flat JSON object. */
    private static final class Json {
        private final StringBuilder sb = new StringBuilder("{");

        Json str(String k, String v) {
            return raw(k, "\"" + v.replace("\"", "'") + "\"");
        }

        Json num(String k, double v) {
            return raw(k, String.format(Locale.ROOT, "%.1f", v));
        }

        Json bool(String k, boolean v) {
            return raw(k, Boolean.toString(v));
        }

        private Json raw(String k, String v) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(k).append("\":").append(v);
            return this;
        }

        @Override
        public String toString() {
            return sb + "}";
        }
    }
}
