package dev.loomnet.loom;

import dev.loomnet.net.Callback;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The write queue ({@link Writer}) writing into a real loopback TCP connection, whose peer is drained
 * as fast as possible by a background platform thread (a blocking read into a 1 MiB direct buffer). Every
 * figure therefore includes real {@code write} system calls and the kernel's loopback delivery, and the
 * drainer competes for the same CPUs (2 cores here): these are per-chunk costs of the whole write path, not
 * of the queue's bookkeeping alone. Compare with {@link #channelWrite}, the floor: the same chunk written
 * straight to the channel.
 *
 * <ul>
 *   <li>{@link #inline}: {@code write(data, null, true)}: the path of a listener replying on the
 *       connection's own thread (the echo server's case). The owner's {@code writeNow} does what
 *       {@code Link.writeNow} does (a copy of it, since the real one needs a connected socket):
 *       {@code configureBlocking(false)}, one {@code write}, {@code configureBlocking(true)}. The channel was
 *       first used by a virtual thread, as in loomnet, so the JDK has already made the descriptor
 *       non-blocking and {@code configureBlocking} is a locked flag change, not an {@code fcntl}.</li>
 *   <li>{@link #queued}: {@code write(data, null)} from a thread that is not the connection's: the chunk is
 *       queued and, when no writer runs, a {@code loomnet-writer} virtual thread is started; it gathers what
 *       is queued (up to 64 chunks) into one {@code write(ByteBuffer[])} and ends when the queue is empty.
 *       Each call returns at once; when the queue passes the high-water mark the benchmark waits until it is
 *       half empty (a producer that respects {@code false}), so the figure is the steady-state throughput
 *       per chunk, writer thread starts included.</li>
 *   <li>{@link #burst64}: 64 chunks written in a row (queued path), then wait until the queue is empty;
 *       per chunk. The first write starts the writer, which may take the first chunks one at a time before
 *       the rest arrive: that is the real behaviour of a burst.</li>
 *   <li>{@link #corkedBurst64}: the same 64 chunks between {@code cork()} and {@code uncork()}: one writer
 *       start and one gathering write of all 64; per chunk.</li>
 * </ul>
 *
 * Why: issue 5 names "a hand-off between threads per write" and gathering writes as the write path's design
 * questions; {@code inline} vs {@code queued} is that hand-off, {@code burst64} vs {@code corkedBurst64} is
 * how much gathering saves.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WriterBench {

    private static final int HIGH_WATER_MARK = 64 * 1024;

    /** Bytes per chunk. */
    @Param({"64", "4096"})
    public int size;

    private ServerSocketChannel listener;
    private SocketChannel client;
    private SocketChannel peer;
    private Thread drainer;
    private Writer writes;
    private byte[] data;
    private volatile long flushedBytes;

    /** The socket side of the queue, reduced to what the write path calls. */
    private final class Owner implements WriteSink {
        @Override
        public long write(ByteBuffer[] buffers, int offset, int length) throws IOException {
            return client.write(buffers, offset, length);
        }

        @Override
        public void shutdownOutput() throws IOException {
            client.shutdownOutput();
        }

        @Override
        public void flush() {
            // plain TCP: nothing held back
        }

        @Override
        public void flushed(long bytes, List<Callback> callbacks) {
            flushedBytes += bytes;                      // one writer at a time: the queue's writer role
        }

        @Override
        public void progressed() {
            // no idle timer in the benchmark
        }

        @Override
        public void drained() {
        }

        @Override
        public void finished() {
        }

        @Override
        public int writeNow(ByteBuffer buffer) throws IOException {
            client.configureBlocking(false);            // as Link.writeNow
            try {
                return client.write(buffer);
            } finally {
                client.configureBlocking(true);
            }
        }

        @Override
        public void rejected(@Nullable Callback callback) {
            throw new IllegalStateException("write after failure");
        }

        @Override
        public void writeAfterEnd(@Nullable Callback callback) {
            throw new IllegalStateException("write after end");
        }

        @Override
        public void failed(IOException error) {
            throw new IllegalStateException(error);
        }

        @Override
        public String writerName() {
            return "writer-bench";
        }
    }

    @Setup
    public void setUp() throws Exception {
        data = new byte[size];
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(listener.getLocalAddress());
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);   // EchoServer's noDelay
        peer = listener.accept();
        drainer = Thread.ofPlatform().name("bench-drainer").daemon(true).start(() -> {
            ByteBuffer sink = ByteBuffer.allocateDirect(1 << 20);
            try {
                while (peer.read(sink.clear()) >= 0) {
                    // discard
                }
            } catch (IOException closed) {
                // tear-down
            }
        });
        // A blocking write on a virtual thread makes the JDK switch the descriptor to non-blocking for good
        // (SocketChannelImpl.forcedNonBlocking), as every loomnet channel is.
        Thread vt = Thread.ofVirtual().start(() -> {
            try {
                client.write(ByteBuffer.wrap(new byte[1]));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        vt.join(10_000);
        writes = new Writer(new Owner(), HIGH_WATER_MARK, new ReentrantLock());   // stands for the socket's lock
        writes.start();
    }

    @TearDown
    public void tearDown() throws Exception {
        writes.awaitLengthAtMost(0);
        client.close();
        peer.close();
        listener.close();
        drainer.join(10_000);
    }

    /** The floor: the chunk written straight to the channel (blocking mode, benchmark thread). */
    @Benchmark
    public int channelWrite() throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        int n = 0;
        while (b.hasRemaining()) {
            n += client.write(b);
        }
        return n;
    }

    /** A listener's reply on the connection's own thread: written inline when the queue is idle. */
    @Benchmark
    public boolean inline() {
        boolean below = writes.write(ByteBuffer.wrap(data), null, true, false);
        if (!below) {
            writes.awaitLengthAtMost(HIGH_WATER_MARK / 2);
        }
        return below;
    }

    /** A write from another thread: queued, written by the on-demand writer thread. */
    @Benchmark
    public boolean queued() {
        boolean below = writes.write(ByteBuffer.wrap(data), null, false, false);
        if (!below) {
            writes.awaitLengthAtMost(HIGH_WATER_MARK / 2);
        }
        return below;
    }

    /** 64 chunks in a row, then wait for all to reach the kernel; per chunk. */
    @Benchmark
    @OperationsPerInvocation(64)
    public long burst64() {
        for (int i = 0; i < 64; i++) {
            writes.write(ByteBuffer.wrap(data), null, false, false);
        }
        writes.awaitLengthAtMost(0);
        return flushedBytes;
    }

    /** 64 chunks between cork and uncork: one gathering write; per chunk. */
    @Benchmark
    @OperationsPerInvocation(64)
    public long corkedBurst64() {
        writes.cork();
        for (int i = 0; i < 64; i++) {
            writes.write(ByteBuffer.wrap(data), null, false, false);
        }
        writes.uncork();
        writes.awaitLengthAtMost(0);
        return flushedBytes;
    }
}
