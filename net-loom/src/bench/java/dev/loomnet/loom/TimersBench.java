package dev.loomnet.loom;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The idle timer ({@link Timers}) with many timeouts armed: issue 3 requires it to "stay cheap at 100k
 * sockets with timeouts set". {@code armed} timeouts (1,000 or 100,000) with a one-hour period are put in
 * the real, process-wide deadline heap before measuring, so the {@code loomnet-timer} thread is waiting on a
 * far deadline and never fires during the run. Then, on one of them at a time, picked in a fixed
 * pseudo-random order (a round-robin order would always pick the oldest deadline, which sits at the heap's
 * root, the best case for a removal):
 *
 * <ul>
 *   <li>{@link #touch}: what every read and every flushed write does ({@code Timeout.touch()}: a
 *       {@code nanoTime} and a volatile write; the heap is not touched while the timeout is scheduled).</li>
 *   <li>{@link #rearm}: {@code Timers.arm} on an armed timeout, i.e. {@code socket.setTimeout(d)} called
 *       again on a socket whose timeout is set (a common pattern: re-arming per request).</li>
 *   <li>{@link #armThenCancel}: arm a timeout that is not in the heap, then cancel it: the life of a
 *       short-lived socket with a timeout ({@code setTimeout} on connect, {@code Timers.cancel} on close,
 *       {@code LoomSocket} destroy path).</li>
 *   <li>{@link #cancelThenArm}: cancel an armed timeout and arm it again ({@code setTimeout(0)} then
 *       {@code setTimeout(d)}), keeping the heap at {@code armed}.</li>
 * </ul>
 *
 * The two sizes show how each operation grows with the number of armed timeouts: {@code touch} must be flat;
 * removing a timeout from the heap (cancel, re-arm) is O(log n) since the heap became indexed (it was a
 * linear {@code PriorityQueue.remove(Object)} scan before). Every operation also takes the one global timer lock; this benchmark is single-threaded, so it
 * shows the lock's uncontended cost only.
 *
 * <p>The heap is static. JMH runs each {@code @Param} value in its own fork, so the timeouts armed by one
 * size do not leak into the other, and the fork's end disposes of them. {@code -f 0} would break that; the check in {@link #setUp} refuses to
 * run on a heap that is not empty.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TimersBench {

    private static final long PERIOD = TimeUnit.HOURS.toNanos(1);

    /** Timeouts armed before measuring. */
    @Param({"1000", "100000"})
    public int armed;

    private Timeout[] timeouts;
    private Timeout spare;
    /** Indexes into {@link #timeouts} in a fixed pseudo-random order (no RNG cost while measuring). */
    private int[] order;
    private int next;

    /** A timeout that counts how often it fired (it should not fire here). */
    static final class Timeout extends Timers.Timeout {
        static final LongAdder FIRED = new LongAdder();

        @Override
        void expired() {
            FIRED.increment();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        if (Timers.armed() != 0) {
            throw new IllegalStateException("the timer heap is not empty (" + Timers.armed()
                    + "): run with forks (-f 1 or more), not -f 0");
        }
        timeouts = new Timeout[armed];
        for (int i = 0; i < armed; i++) {
            timeouts[i] = new Timeout();
            Timers.arm(timeouts[i], PERIOD);
        }
        spare = new Timeout();
        order = new int[1 << 16];
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < order.length; i++) {
            order[i] = random.nextInt(armed);
        }
    }

    /** Checks that nothing fired; the armed timeouts stay in the heap until the fork ends. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (Timeout.FIRED.sum() != 0) {
            throw new IllegalStateException("a one-hour timeout fired");
        }
    }

    private Timeout nextArmed() {
        Timeout t = timeouts[order[next]];
        next = (next + 1) & (order.length - 1);
        return t;
    }

    /** Activity on a socket with an armed timeout (every read and flushed write). */
    @Benchmark
    public Timeout touch() {
        Timeout t = nextArmed();
        t.touch();
        return t;
    }

    /** {@code setTimeout(d)} again on a socket whose timeout is armed. */
    @Benchmark
    public Timeout rearm() {
        Timeout t = nextArmed();
        Timers.arm(t, PERIOD);
        return t;
    }

    /** A socket that arms a timeout and closes: arm a timeout not in the heap, then cancel it. */
    @Benchmark
    public Timeout armThenCancel() {
        Timers.arm(spare, PERIOD);
        Timers.cancel(spare);
        return spare;
    }

    /** {@code setTimeout(0)} then {@code setTimeout(d)} on a socket whose timeout is armed. */
    @Benchmark
    public Timeout cancelThenArm() {
        Timeout t = nextArmed();
        Timers.cancel(t);
        Timers.arm(t, PERIOD);
        return t;
    }
}
