package dev.loomnet.loom;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The read loop's buffer policy, without the system call: what {@code ReadLoop.readLoop} does with the bytes
 * after {@code ch.read(buffer)} returned {@code n}, compared with a fixed 16 KiB buffer (raw-vt's policy).
 *
 * <p>A "read" here is a {@code put} of {@code n} bytes from a source array into the buffer, truncated to the
 * buffer's remaining space as the kernel would truncate it: the same memory copy the kernel does into a heap
 * buffer's temporary direct buffer, minus the syscall and the JDK's direct-to-heap copy, which are equal for
 * all variants. So this isolates the policy's own cost; it is not a read-path benchmark.
 *
 * <ul>
 *   <li>{@link #adaptive}: loomnet today. A full read's array becomes the chunk (no copy) and a new buffer is
 *       allocated; any other read is copied at its exact size ({@code Arrays.copyOf}; the {@code DATA}
 *       listeners own the chunk), then the next buffer follows the read loop's own policy,
 *       {@code ReadLoop.nextCapacity}: double on a full read up to {@code MAX_READ} (32 KiB), shrink to twice
 *       the read (at least {@code MIN_READ}) when a read uses a quarter or less, else {@code clear()}. The
 *       FIONREAD top-up after a full small buffer needs a socket and is not modelled.</li>
 *   <li>{@link #fixed16kCopy}: a fixed 16 KiB buffer with the same exact-size copy (what loomnet would do
 *       with raw-vt's buffer but the same ownership contract).</li>
 *   <li>{@link #fixed16kNoCopy}: a fixed 16 KiB buffer consumed in place (raw-vt: it writes the echo from
 *       its read buffer; a loomnet listener could not keep such a chunk).</li>
 * </ul>
 *
 * Read-size patterns ({@code pattern}): {@code 64} (ping-pong), {@code 1460} (one segment),
 * {@code 16384} and {@code 65536} (streaming; the adaptive buffer grows to fit, the fixed one truncates to
 * 16 KiB, so per-byte figures differ from per-read ones), and {@code mixed} (sizes drawn at random between 1
 * and 64 KiB, the worst case for a resizing policy). Reported per read; compare bytes per read when the
 * pattern exceeds 16 KiB.
 *
 * <p>Why: issue 5 names "an allocation per read" and the idle read buffer (raw-vt's 16 KiB per idle
 * connection) as likely costs. The memory side of the trade (an idle loomnet socket parks with a small buffer,
 * down to {@code MIN_READ}, after small messages, {@code INITIAL_READ} before any) is measured by the scale
 * program, not here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class ReadBufferBench {

    /** Bytes offered per read: a fixed size, or {@code mixed}. */
    @Param({"64", "1460", "16384", "65536", "mixed"})
    public String pattern;

    private final byte[] source = new byte[ReadLoop.MAX_READ];
    private int[] sizes;
    private int next;
    private ByteBuffer adaptiveBuffer;
    private ByteBuffer fixedBuffer;

    @Setup
    public void setUp() {
        new SplittableRandom(1).nextBytes(source);
        sizes = new int[4096];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = pattern.equals("mixed") ? 1 + random.nextInt(ReadLoop.MAX_READ) : Integer.parseInt(pattern);
        }
        adaptiveBuffer = ByteBuffer.allocate(ReadLoop.INITIAL_READ);
        fixedBuffer = ByteBuffer.allocate(16 * 1024);
    }

    private int nextSize() {
        int n = sizes[next];
        next = (next + 1) & (sizes.length - 1);
        return n;
    }

    /** Simulates {@code ch.read(buffer)}: copies up to {@code offered} bytes in; returns the count. */
    private int fill(ByteBuffer buffer, int offered) {
        int n = Math.min(offered, buffer.remaining());
        buffer.put(source, 0, n);
        return n;
    }

    /**
     * loomnet's policy ({@code ReadLoop.deliver}): a full read hands its array over as the chunk and a new
     * buffer follows; otherwise an exact-size copy, then the next buffer by {@code ReadLoop.nextCapacity}.
     */
    @Benchmark
    public byte[] adaptive() {
        ByteBuffer buffer = adaptiveBuffer;
        int n = fill(buffer, nextSize());
        if (n == buffer.capacity()) {
            adaptiveBuffer = ByteBuffer.allocate(ReadLoop.nextCapacity(buffer.capacity(), n, false));
            return buffer.array();
        }
        byte[] chunk = Arrays.copyOf(buffer.array(), n);
        int next = ReadLoop.nextCapacity(buffer.capacity(), n, false);
        adaptiveBuffer = next == buffer.capacity() ? buffer.clear() : ByteBuffer.allocate(next);
        return chunk;
    }

    /** A fixed 16 KiB buffer with the same exact-size copy. */
    @Benchmark
    public byte[] fixed16kCopy() {
        ByteBuffer buffer = fixedBuffer;
        int n = fill(buffer, nextSize());
        byte[] chunk = Arrays.copyOf(buffer.array(), n);
        buffer.clear();
        return chunk;
    }

    /** A fixed 16 KiB buffer consumed in place (no copy, no allocation). */
    @Benchmark
    public int fixed16kNoCopy() {
        ByteBuffer buffer = fixedBuffer;
        int n = fill(buffer, nextSize());
        int sum = buffer.get(0) + buffer.get(n - 1);       // "consume" it: touch both ends
        buffer.clear();
        return sum;
    }
}
