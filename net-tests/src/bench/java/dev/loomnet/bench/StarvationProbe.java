package dev.loomnet.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a new connection waits while an echo server is saturated: it loads the server on 127.0.0.1 with
 * full-speed streams or ping-pong connections, then, every 300 ms, opens a new connection and times its
 * connect and a one-byte echo (20 s at most each). Any echo server works:
 * {@code java -cp net-tests/target/benchmarks.jar dev.loomnet.bench.StarvationProbe PORT streams|pingpong
 * CONNECTIONS PROBES}. It prints each probe's milliseconds ({@code -1}: timed out) and the load's throughput.
 */
public final class StarvationProbe {

    private static final int STREAM_WRITE = 16 * 1024;
    private static final int MESSAGE = 64;
    private static final int PROBE_TIMEOUT_MS = 20_000;

    private final int port;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong echoed = new AtomicLong();

    private StarvationProbe(int port) {
        this.port = port;
    }

    /**
     * Runs the probe.
     *
     * @param args the server's port, {@code streams} or {@code pingpong}, the number of loading connections and
     *     the number of probes
     * @throws Exception if a loading connection cannot be opened
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !(args[1].equals("streams") || args[1].equals("pingpong"))) {
            System.err.println("usage: StarvationProbe PORT streams|pingpong CONNECTIONS PROBES");
            System.exit(64);
        }
        StarvationProbe probe = new StarvationProbe(Integer.parseInt(args[0]));
        List<Socket> load = probe.load(args[1].equals("streams"), Integer.parseInt(args[2]));
        try {
            TimeUnit.MILLISECONDS.sleep(1_500);               // the load reaches full speed first
            probe.probe(Integer.parseInt(args[3]));
        } finally {
            probe.stop.set(true);
            for (Socket s : load) {
                s.close();
            }
        }
    }

    private List<Socket> load(boolean streams, int connections) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket s = new Socket("127.0.0.1", port);
            sockets.add(s);
            if (streams) {
                daemon(() -> writeForever(s));
                daemon(() -> readForever(s));
            } else {
                daemon(() -> pingPong(s));
            }
        }
        return sockets;
    }

    private void probe(int probes) throws InterruptedException {
        List<Long> millis = new ArrayList<>();
        long start = System.nanoTime();
        long before = echoed.get();
        for (int i = 0; i < probes; i++) {
            TimeUnit.MILLISECONDS.sleep(300);
            millis.add(oneProbe());
            System.out.print(millis.get(millis.size() - 1) + " ");
            System.out.flush();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long max = millis.stream().mapToLong(Long::longValue).max().orElse(0);
        boolean timedOut = millis.contains(-1L);
        System.out.printf(Locale.ROOT, "%nprobes_ms=%s max_ms=%s load_MB_per_s=%.0f%n", millis,
                timedOut ? "timeout" : Long.toString(max), (echoed.get() - before) / 1e6 / seconds);
    }

    /** One new connection's connect and one-byte echo, in milliseconds; -1 if it took over 20 s or failed. */
    private long oneProbe() {
        long t = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), PROBE_TIMEOUT_MS);
            s.setSoTimeout(PROBE_TIMEOUT_MS);
            s.getOutputStream().write('x');
            return s.getInputStream().read() == 'x' ? (System.nanoTime() - t) / 1_000_000 : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private void writeForever(Socket s) {
        byte[] b = new byte[STREAM_WRITE];
        try {
            OutputStream out = s.getOutputStream();
            while (!stop.get()) {
                out.write(b);
            }
        } catch (IOException closed) {
            // the probe ended and closed the socket
        }
    }

    private void readForever(Socket s) {
        byte[] b = new byte[4 * STREAM_WRITE];
        try {
            InputStream in = s.getInputStream();
            for (int n; (n = in.read(b)) > 0; ) {
                echoed.addAndGet(n);
            }
        } catch (IOException closed) {
            // the probe ended and closed the socket
        }
    }

    private void pingPong(Socket s) {
        byte[] b = new byte[MESSAGE];
        try {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            while (!stop.get()) {
                out.write(b);
                for (int got = 0; got < MESSAGE; ) {
                    int n = in.read(b, got, MESSAGE - got);
                    if (n < 0) {
                        return;
                    }
                    got += n;
                }
                echoed.addAndGet(MESSAGE);
            }
        } catch (IOException closed) {
            // the probe ended and closed the socket
        }
    }

    private static void daemon(Runnable body) {
        Thread.ofPlatform().daemon().start(body);
    }
}
