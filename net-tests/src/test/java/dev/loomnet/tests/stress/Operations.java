package dev.loomnet.tests.stress;

import static dev.loomnet.tests.stress.ChaosRun.waitSeconds;

import dev.loomnet.net.Callback;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.stress.ChaosRun.ChaosError;
import dev.loomnet.tests.stress.Scenario.Kind;
import dev.loomnet.tests.stress.Scenario.Op;
import dev.loomnet.tests.stress.Scenario.ReadMode;
import dev.loomnet.tests.stress.Scenario.Side;
import dev.loomnet.tests.stress.Scenario.SideConfig;
import dev.loomnet.tests.stress.Scenario.Trigger;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Runs a scenario's operations on the live sockets of a chaos run: the test thread's and the second thread's in
 * order, each listener operation inside the listener of its trigger, and the blocking style's writer and reader.
 * Every write is recorded in its {@link Peer} under the peer's write lock, with bytes drawn from the scenario's
 * seed. Once a pair's finale began, its {@code pause()} operations are skipped ({@link #lockOutPauses}).
 */
final class Operations {

    /** Bound of one {@code AWAIT} operation. */
    static final int AWAIT_MILLIS = 20;
    /** The id of the bytes a greeting server writes at once ({@code AtOnce.GREET}), plus the pair's index. */
    private static final int GREETING = 900_000;

    /** A {@code server.getConnections(cb)} call and what its callback got. */
    static final class CountCall {
        final int op;
        final AtomicInteger calls = new AtomicInteger();
        volatile int count = -1;
        volatile @Nullable Throwable error;

        CountCall(int op) {
            this.op = op;
        }
    }

    private final Scenario scenario;
    private final List<Peer> clients;
    private final List<Peer> servers;
    private final List<String> violations;
    private final WhenChecks whens;
    /** The listening server, which {@code GET_CONNECTIONS} asks. */
    private final Supplier<Server> server;
    /** What became of each listener operation: fired, skipped. */
    private final Map<Integer, String> opStatus = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock finaleLock = new ReentrantReadWriteLock();
    /** The pairs whose finale began; guarded by {@link #finaleLock}. */
    private final boolean[] finale;
    private final List<CountCall> countCalls = new CopyOnWriteArrayList<>();

    Operations(Scenario scenario, List<Peer> clients, List<Peer> servers, List<String> violations,
               WhenChecks whens, Supplier<Server> server) {
        this.scenario = scenario;
        this.clients = clients;
        this.servers = servers;
        this.violations = violations;
        this.whens = whens;
        this.server = server;
        this.finale = new boolean[scenario.pairs()];
    }

    private Peer peer(int pair, Side side) {
        return side == Side.C ? clients.get(pair) : servers.get(pair);
    }

    /** What became of each listener operation that fired or was skipped, by its id. */
    Map<Integer, String> opStatus() {
        return opStatus;
    }

    /** The {@code getConnections} calls made so far. */
    List<CountCall> countCalls() {
        return countCalls;
    }

    /**
     * The finale of {@code pairs} begins: their {@code pause()} operations are skipped from now on, as a pause
     * after the finale's {@code resume()} would leave a socket that never reads its peer's FIN.
     */
    void lockOutPauses(List<Integer> pairs) {
        finaleLock.writeLock().lock();
        try {
            pairs.forEach(i -> finale[i] = true);
        } finally {
            finaleLock.writeLock().unlock();
        }
    }

    /** Runs the listener operations of the {@code nth} {@code trigger} of {@code p}, inside its listener. */
    void fire(Peer p, Trigger trigger, int nth) {
        for (Op op : scenario.listenerOps()) {
            if (op.pair() == p.pair && op.triggerSide() == p.side && op.trigger() == trigger && op.nth() == nth) {
                opStatus.put(op.id(), "fired");
                if (op.kind() == Kind.THROW) {
                    ChaosError e = new ChaosError("thrown by op #" + op.id());
                    p.violated = true;
                    p.ownErrors.add(e);
                    p.thrown.add(e);
                    throw e;                              // destroys p: ERROR with e, CLOSE(true)
                }
                runGuarded(op);
            }
        }
    }

    /** Runs those of {@code ops} that act on {@code pairs}, in order; what one throws is a violation. */
    void runAll(List<Op> ops, List<Integer> pairs) {
        for (Op op : ops) {
            if (pairs.contains(op.pair())) {
                runGuarded(op);
            }
        }
    }

    private void runGuarded(Op op) {
        try {
            execute(op);
        } catch (Throwable t) {
            violations.add(op.describe() + " threw " + t);
        }
    }

    private void execute(Op op) throws Exception {
        Peer p = peer(op.pair(), op.target());
        if (op.kind().violent() || op.kind() == Kind.END || op.kind() == Kind.END_DATA) {
            // The pair must exist before it is torn down: a client destroyed before its handshake completed
            // may never reach the server. An end counts too, as a write after it destroys the socket.
            servers.get(op.pair()).socket();
        }
        if (op.kind().violent()) {
            p.violated = true;
        }
        if (op.kind() == Kind.AWAIT) {
            int before = p.log.size();
            try {
                Awaitility.await().atMost(Duration.ofMillis(AWAIT_MILLIS)).pollInSameThread()
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> p.log.size() > before || p.closed.getCount() == 0);
            } catch (ConditionTimeoutException e) {
                // nothing happened meanwhile: fine, the point was only to let time pass
            }
            return;
        }
        Socket s = p.socket();
        switch (op.kind()) {
            case WRITE -> write(p, s, bytes(op.id(), op.size()), op.callback());
            case WRITE_STRING -> writeString(p, s, op);
            case WRITE_TEXT -> writeText(p, s, op);
            case CORK -> s.cork();
            case UNCORK -> s.uncork();
            case PAUSE -> {
                finaleLock.readLock().lock();
                try {
                    if (finale[op.pair()]) {
                        opStatus.put(op.id(), "skipped: after the finale");
                    } else {
                        s.pause();
                    }
                } finally {
                    finaleLock.readLock().unlock();
                }
            }
            case RESUME -> {
                if (p.late && !p.readersAttached) {
                    // a listener operation of V's: flowing with no reader yet, the bytes would go to nobody
                    opStatus.put(op.id(), "skipped: C has no reader yet");
                } else {
                    p.resume(s);
                }
            }
            case END -> {
                p.writeLock.lock();
                try {
                    p.markEnd();
                    if (op.callback()) {
                        Peer.Cb cb = p.endCallback(op.id());
                        cb.notWritableAtCall = !s.writable();
                        s.end(p.callback(cb));
                        cb.issuedWhileOpen = !s.destroyed();
                    } else {
                        s.end();
                    }
                } finally {
                    p.writeLock.unlock();
                }
            }
            case END_DATA -> {
                byte[] data = bytes(op.id(), op.size());
                p.writeLock.lock();
                try {
                    p.lateEndBefore(s);
                    p.appendWrite(data, false);
                    p.endDataOps.incrementAndGet();
                    p.markEnd();
                    if (op.callback()) {
                        Peer.Cb cb = p.endCallback(op.id());
                        cb.notWritableAtCall = !s.writable();
                        s.end(data, p.callback(cb));
                        cb.issuedWhileOpen = !s.destroyed();
                    } else {
                        s.end(data);
                    }
                } finally {
                    p.writeLock.unlock();
                }
            }
            case DESTROY -> s.destroy();
            case DESTROY_ERROR -> {
                ChaosError e = new ChaosError("destroy(error) by op #" + op.id());
                p.ownErrors.add(e);
                s.destroy(e);
            }
            case RESET -> s.resetAndDestroy();
            case DESTROY_SOON -> s.destroySoon();
            case SET_TIMEOUT -> {
                if (op.arg() > 0) {
                    p.timeoutSet = true;
                }
                s.setTimeout(Duration.ofMillis(op.arg()));
            }
            case SET_NODELAY -> s.setNoDelay(op.arg() != 0);
            case SET_KEEPALIVE -> {
                if (op.arg() > 1) {
                    s.setKeepAlive(true, Duration.ofSeconds(op.arg()));
                } else {
                    s.setKeepAlive(op.arg() != 0);
                }
            }
            case REF -> s.ref();
            case UNREF -> s.unref();
            case SET_ENCODING -> s.setEncoding(Scenario.CHARSETS.get(p.config.charset()));
            case UNPIPE -> unpipe(p, s, op);
            case GET_CONNECTIONS -> {
                CountCall call = new CountCall(op.id());
                countCalls.add(call);
                server.get().getConnections((error, count) -> {
                    if (call.calls.incrementAndGet() == 1) {
                        call.error = error;
                        call.count = count;
                    }
                });
            }
            case WHEN -> whens.when(p, s, op);
            case AWAIT, THROW -> throw new AssertionError("handled above");
        }
    }

    /**
     * Node's switch from a pipe to reading directly: {@code unpipe} (which pauses the socket), a DATA listener
     * that records into the same place, {@code resume()}. Not a byte may be lost or recorded twice across it.
     * Once per socket; a later UNPIPE only calls {@code unpipe} again, which must change nothing.
     */
    private void unpipe(Peer p, Socket s, Op op) throws InterruptedException {
        if (p.recorder == null && !p.ready.await(waitSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(p.side + " never set up");   // V is attached before its pipe is made
        }
        PipeRecorder recorder = Objects.requireNonNull(p.recorder);
        boolean first = p.unpipeClaimed.compareAndSet(false, true);
        if (op.arg() == 0) {
            s.unpipe(recorder);
        } else {
            s.unpipe();
        }
        if (!first) {
            return;
        }
        p.unpiped = true;
        p.on(s, Socket.DATA, chunk -> {
            p.received(chunk);
            p.fireData();
        });
        p.resume(s);
    }

    /** One write of {@code data}, recorded under the peer's write lock in the order the socket queues it. */
    static void write(Peer p, Socket s, byte[] data, boolean withCallback) {
        p.writeLock.lock();
        try {
            long offset = p.lateEndBefore(s);
            Peer.Cb cb = p.appendWrite(data, withCallback);
            p.issued(cb);
            boolean below = cb == null ? s.write(data) : s.write(data, p.callback(cb));
            recordWrite(p, s, cb, below);
            p.lateEndAfter(s, offset);
        } finally {
            p.writeLock.unlock();
        }
    }

    /** Under the peer's write lock, after a write: whether loomnet took the callback while open, and a false return. */
    private static void recordWrite(Peer p, Socket s, Peer.@Nullable Cb cb, boolean below) {
        if (cb != null) {
            cb.issuedWhileOpen = !s.destroyed();
        }
        if (!below) {
            p.falseReturns.incrementAndGet();
        }
    }

    private void writeString(Peer p, Socket s, Op op) {
        Charset charset = Scenario.CHARSETS.get(op.arg());
        String text = text(op.id(), op.size());
        byte[] encoded = text.getBytes(charset);          // what loomnet sends, encoded the same way
        p.writeLock.lock();
        try {
            long offset = p.lateEndBefore(s);
            Peer.Cb cb = p.appendWrite(encoded, op.callback());
            p.issued(cb);
            Callback callback = cb == null ? null : p.callback(cb);
            boolean below = callback == null ? s.write(text, charset) : s.write(text, charset, callback);
            recordWrite(p, s, cb, below);
            p.lateEndAfter(s, offset);
        } finally {
            p.writeLock.unlock();
        }
    }

    /**
     * A text in the encoding its reader decodes with (UTF-8 if it decodes none), written in {@code op.arg()}
     * pieces cut at random byte offsets, so that characters are split across writes and often across reads.
     * The pieces are written under the write lock, so no other write comes between them.
     */
    private void writeText(Peer p, Socket s, Op op) {
        Peer reader = peer(op.pair(), op.target().other());
        SideConfig decoding = reader.config.mode() == ReadMode.ECHO ? p.config : reader.config;
        Charset charset = Scenario.CHARSETS.get(decoding.hasText() ? decoding.charset() : 0);
        byte[] encoded = text(op.id(), op.size()).getBytes(charset);
        SplittableRandom r = new SplittableRandom(scenario.seed() * 5_000_011L + op.id());
        int[] cuts = r.ints(op.arg() - 1, 1, Math.max(2, encoded.length)).sorted().distinct().toArray();
        p.writeLock.lock();
        try {
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? Math.min(cuts[i], encoded.length) : encoded.length;
                if (to > from) {
                    write(p, s, Arrays.copyOfRange(encoded, from, to), op.callback() && to == encoded.length);
                }
                from = Math.max(from, to);
            }
        } finally {
            p.writeLock.unlock();
        }
    }

    /** What a greeting server writes at once: 1 byte to 8 KiB, from the seed. */
    byte[] greeting(int pair) {
        return bytes(GREETING + pair, new SplittableRandom(scenario.seed() * 17 + pair).nextInt(1, 8193));
    }

    /** The bytes of one write, from the scenario's seed and the write's number. */
    private byte[] bytes(int id, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(scenario.seed() * 1_000_003L + id).nextBytes(b);
        return b;
    }

    private String text(int id, int chars) {
        String[] pieces = {"a", "Z", "0", " ", "é", "ß", "あ", "€", "\uD83D\uDE00", "\n"};
        SplittableRandom r = new SplittableRandom(scenario.seed() * 7_000_003L + id);
        StringBuilder b = new StringBuilder(chars * 2);
        for (int i = 0; i < chars; i++) {
            b.append(pieces[r.nextInt(pieces.length)]);
        }
        return b.toString();
    }

    // ---------------------------------------------------------------------------------------------------
    // the blocking style

    /** The blocking style's writer: the set-up's writes through {@code outputStream()}, then maybe close(). */
    void streamWriter(Peer p, Socket s) {
        OutputStream out = s.outputStream();
        List<Integer> sizes = p.config.streamWrites();
        for (int i = 0; i < sizes.size(); i++) {
            byte[] data = bytes(100_000 + i, sizes.get(i));
            long offset;
            p.writeLock.lock();
            try {
                offset = p.writtenSize();
                p.appendWrite(data, false);
            } finally {
                p.writeLock.unlock();
            }
            try {
                out.write(data);
                if (p.config.streamFlushes().contains(i)) {
                    out.flush();
                }
            } catch (IOException e) {
                p.streamWriteFailed(offset);              // ended or destroyed meanwhile: expected
                p.log.add("note:stream-write " + e.getMessage());
                return;
            } catch (Throwable t) {
                violations.add(p.side + " output stream threw " + t);
                return;
            }
        }
        if (p.config.streamClose()) {
            p.markEnd();
            try {
                out.close();
            } catch (IOException e) {
                p.log.add("note:stream-close " + e.getMessage());
            }
        }
    }

    /** The blocking style's reader: {@code inputStream()} until end of stream, into buffers of random sizes. */
    void streamReader(Peer p, Socket s) {
        InputStream in = s.inputStream();
        SplittableRandom r = new SplittableRandom(scenario.seed());
        try {
            for (;;) {
                byte[] buffer = new byte[1 + r.nextInt(r.nextBoolean() ? 64 : 65536)];
                int n = in.read(buffer);
                if (n < 0) {
                    p.log.add("note:stream-eof");
                    return;
                }
                p.read(buffer, 0, n);
            }
        } catch (IOException e) {
            p.log.add("note:stream-read " + e.getMessage());  // destroyed or reset: expected
        } catch (Throwable t) {
            violations.add(p.side + " input stream threw " + t);
        }
    }
}
