package dev.loomnet.loom;

import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Event dispatch: what it costs to deliver one {@code DATA} chunk to a socket's listeners, with 1 and 3
 * listeners, on the two ways into a socket's {@link EventQueue}.
 *
 * <ul>
 *   <li>{@link #runAndWaitData}: the read loop's path. {@code ReadLoop} calls
 *       {@code socket.events.runAndWait(this, chunk)} on the connection's own thread, a task that takes the chunk
 *       as its argument (no lambda per chunk) and runs {@code socket.inbound.emitData(link, chunk)}; with the
 *       queue idle (always, here) that is a CAS on {@code wip}, the adopted-thread check, the task,
 *       {@code Emitter.emit} over the listener snapshot, the {@code TEXT} check, and a decrement. This is that
 *       call on a real (unconnected) {@link LoomSocket}, from a thread that adopted the queue
 *       ({@code EventQueue.adoptCurrentThread()}, as the read loop does), with a task made once as the read loop's
 *       is; only the thread differs (a JMH platform thread instead of the connection's virtual thread, which does
 *       not change this path) and the read loop's check that its link is still the socket's current one. The
 *       chunk is not copied per call (see {@link ReadBufferBench} for the copy).</li>
 *   <li>{@link #postAndAwait}: the cross-thread path ({@code post}), used for {@code DRAIN}, {@code TIMEOUT},
 *       write callbacks, {@code CLOSE}: the queue is idle, so each post starts a short-lived
 *       {@code loomnet-events-N} virtual thread that drains and ends. The benchmark thread spins until the
 *       task ran, so the figure is the post-to-run latency including the virtual thread start and the
 *       hand-off to a carrier thread, not just the cost to the poster (which returns at once).</li>
 *   <li>{@link #post16AndAwait}: sixteen posts in a row, then wait for the last: one drainer runs all of
 *       them, showing how the thread start amortizes when posts arrive in bursts. Reported per post.</li>
 * </ul>
 *
 * Why: issue 5 names "a lock per event" and thread hand-offs as likely costs; the inline path must stay in the
 * tens of nanoseconds so that a 64-byte ping-pong is dominated by the system calls, not by the event model.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventDispatchBench {

    /** Number of {@code DATA} listeners on the socket. */
    @Param({"1", "3"})
    public int listeners;

    private LoomSocket socket;
    /** The read loop's task for a chunk, made once. */
    private Task.WithArg<byte[]> emit;
    private final byte[] chunk = new byte[64];
    /** Written by the listeners; returned so the JIT cannot drop them. */
    private long consumed;
    private volatile long ran;

    @Setup
    public void setUp() {
        socket = new LoomSocket(SocketOptions.DEFAULTS, null);
        socket.events.adoptCurrentThread();          // Scope.Thread: set-up runs on the measuring thread
        emit = data -> socket.inbound.emitData(socket.link, data);
        for (int i = 0; i < listeners; i++) {
            socket.on(Socket.DATA, data -> consumed += data.length);
        }
    }

    /** The read loop's inline dispatch of one {@code DATA} event (idle queue). */
    @Benchmark
    public long runAndWaitData() throws Exception {
        socket.events.runAndWait(emit, chunk);
        return consumed;
    }

    /** One cross-thread post of a {@code DATA}-like emission, waiting until it has run (latency). */
    @Benchmark
    public long postAndAwait() {
        long target = ran + 1;
        socket.events.post(() -> {
            socket.inbound.emitData(socket.link, chunk);
            ran++;                                   // only drainers of this queue write it, serially
        });
        while (ran != target) {
            Thread.onSpinWait();
        }
        return consumed;
    }

    /** Sixteen posts, then wait for the last to run; per post. */
    @Benchmark
    @OperationsPerInvocation(16)
    public long post16AndAwait() {
        long target = ran + 16;
        for (int i = 0; i < 16; i++) {
            socket.events.post(() -> {
                socket.inbound.emitData(socket.link, chunk);
                ran++;
            });
        }
        while (ran != target) {
            Thread.onSpinWait();
        }
        return consumed;
    }
}
