package dev.loomnet.tests.flow;

import static dev.loomnet.tests.flow.Flow.DEFAULT_HWM;
import static dev.loomnet.tests.flow.Flow.holdsFor;
import static dev.loomnet.tests.flow.Flow.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.testing.Transport;
import dev.loomnet.tests.Catalog;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 3 acceptance: 64 MiB through {@code pipe} into a peer that reads slowly. Three connections:
 * <pre>
 *   producer server --(64 MiB, blocking output stream)--> source  ==pipe==>  out --> sink (slow reader)
 * </pre>
 * The sink starts paused ({@code pauseOnConnect}) and pauses itself after every {@value #STEP} bytes; the
 * test resumes it only once the backpressure has reached the pipe (the source stays paused), so the reader
 * is slow by construction, not by timing. Catalog #94, #95, #137. Over every {@link Transport}, all three
 * connections on the same one.
 */
class PipeBackpressureTest {

    @TempDir
    Path dir;

    static final int TOTAL = 64 << 20;
    static final int CHUNK = 64 << 10;
    static final int STEP = 8 << 20;
    static final long SEED = 20_240_603L;
    /** The bound of the acceptance list: a small multiple of the high-water mark plus one read chunk. */
    static final long QUEUE_BOUND = 4L * DEFAULT_HWM + 64 * 1024;
    /** Heap growth (after a full GC) that still counts as bounded; an unbounded queue would hold ~64 MiB. */
    static final long HEAP_BOUND = 32L << 20;

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Catalog({94, 95, 137})
    void a_64_MiB_pipe_into_a_slow_reader_keeps_the_queue_near_the_high_water_mark_and_loses_nothing(
            Transport transport) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();

        AtomicReference<byte[]> sentDigest = new AtomicReference<>();
        AtomicBoolean producerDone = new AtomicBoolean();
        AtomicInteger closes = new AtomicInteger();
        Server producer = transport.listen(Net.createServer(conn -> {
            conn.on(Socket.CLOSE, hadError -> closes.incrementAndGet());
            conn.resume();                               // to read the source's FIN once the transfer is over
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Random random = new Random(SEED);
            byte[] chunk = new byte[CHUNK];
            OutputStream out = conn.outputStream();      // blocks at the high-water mark
            for (int sent = 0; sent < TOTAL; sent += CHUNK) {
                random.nextBytes(chunk);
                md.update(chunk);
                out.write(chunk);
            }
            sentDigest.set(md.digest());
            producerDone.set(true);
            conn.end();
        }), dir);

        AtomicReference<Socket> sink = new AtomicReference<>();
        MessageDigest receivedDigest = MessageDigest.getInstance("SHA-256");
        AtomicLong received = new AtomicLong();
        AtomicBoolean sinkEnded = new AtomicBoolean();
        ServerOptions paused = ServerOptions.builder().pauseOnConnect(true).build();
        Server sinkServer = transport.listen(Net.createServer(paused, conn -> {
            long[] nextPause = {STEP};
            conn.on(Socket.DATA, chunk -> {
                receivedDigest.update(chunk);
                if (received.addAndGet(chunk.length) >= nextPause[0]) {
                    nextPause[0] += STEP;
                    conn.pause();                        // slow reader: wait for the test to resume
                }
            }).on(Socket.END, () -> sinkEnded.set(true)).on(Socket.CLOSE, hadError -> closes.incrementAndGet());
            sink.set(conn);
        }), dir);

        Socket out = Net.socket().on(Socket.CLOSE, hadError -> closes.incrementAndGet())
                .resume();                               // reads (and drops) nothing but the sink's FIN
        transport.connect(out, sinkServer);
        Socket source = Net.socket().on(Socket.CLOSE, hadError -> closes.incrementAndGet());
        source.pipe(out);
        AtomicLong maxQueued = new AtomicLong();
        source.on(Socket.DATA, chunk -> maxQueued.accumulateAndGet(out.bufferSize(), Math::max)); // after the pipe's write
        transport.connect(source, producer);

        int backpressured = 0;
        long maxHeapGrowth = 0;
        for (int step = 0; step <= TOTAL / STEP + 1 && !sinkEnded.get(); step++) {
            waitFor().until(() -> sinkEnded.get() || sink.get() != null && sink.get().isPaused());
            if (sinkEnded.get()) {
                break;
            }
            // The sink is paused: wait until that reached the pipe (the source stays paused), or the producer is done.
            holdsFor(50).until(() -> source.isPaused() || producerDone.get());
            if (source.isPaused()) {
                backpressured++;
            }
            memory.gc();
            maxHeapGrowth = Math.max(maxHeapGrowth, memory.getHeapMemoryUsage().getUsed() - heapBefore);
            sink.get().resume();
        }
        waitFor().until(() -> closes.get() == 4);
        producer.close();
        sinkServer.close();

        System.out.printf("[flow] 64 MiB pipe: max out.bufferSize()=%d (hwm %d), heap growth after GC <= %d KiB,"
                + " steps with the source paused by backpressure=%d%n", maxQueued.get(), DEFAULT_HWM,
                maxHeapGrowth >> 10, backpressured);
        assertEquals(TOTAL, received.get(), "bytes received by the sink");
        assertArrayEquals(sentDigest.get(), receivedDigest.digest(), "SHA-256 of what the producer sent");
        assertEquals(TOTAL, out.bytesWritten());
        assertTrue(backpressured >= 1, "the paused sink never made the pipe pause its source");
        assertTrue(maxQueued.get() <= QUEUE_BOUND, "out.bufferSize() reached " + maxQueued.get());
        assertTrue(maxHeapGrowth <= HEAP_BOUND, "heap grew by " + maxHeapGrowth + " bytes");
    }
}
