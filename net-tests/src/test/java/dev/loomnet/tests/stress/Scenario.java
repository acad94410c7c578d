package dev.loomnet.tests.stress;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * One chaos scenario, made from a seed alone: the transport, how each of the two sockets is configured and
 * read, and the operations to run on them from the test thread, from a second plain virtual thread and from
 * inside listeners. The same group and seed always give the same scenario (the timing of a run does not), so
 * a failure is rerun with {@code -Dchaos.seeds=SEED} on the group's test method.
 *
 * @param group    the test group that made it (part of what the seed means)
 * @param seed     the seed
 * @param unix     Unix domain socket in a temporary directory instead of TCP on 127.0.0.1
 * @param client   the client socket's set-up
 * @param server   the accepted socket's set-up
 * @param testOps  operations the test thread runs in order, right after {@code connect()}
 * @param threadOps operations a second plain virtual thread runs in order, at the same time
 * @param listenerOps operations each run once, inside a listener, on the n-th occurrence of its trigger
 */
record Scenario(String group, long seed, boolean unix, SideConfig client, SideConfig server, List<Op> testOps,
                List<Op> threadOps, List<Op> listenerOps) {

    /** Which socket of the pair: the client, or the server's accepted socket. */
    enum Side {
        C, V;

        Side other() {
            return this == C ? V : C;
        }
    }

    /** How a socket reads (and, for {@link #STREAM} and {@link #ECHO}, writes). */
    enum ReadMode {
        /** A {@code DATA} listener records every chunk. */
        EVENTS,
        /** {@code pipe} into a recording {@code Writable} that applies back-pressure now and then. */
        PIPE,
        /** Server only: {@code socket.pipe(socket)}; the socket writes nothing else. */
        ECHO,
        /** {@code inputStream()} and {@code outputStream()} on threads of their own; never flowing. */
        STREAM
    }

    /** An event whose n-th occurrence fires a listener operation ({@code CONNECT} is {@code CONNECTION} for V). */
    enum Trigger { CONNECT, DATA, DRAIN, END, FINISH, TIMEOUT }

    /** What an operation does. */
    enum Kind {
        WRITE, WRITE_STRING, CORK, UNCORK, PAUSE, RESUME, END, END_DATA, DESTROY, DESTROY_ERROR, RESET,
        DESTROY_SOON, SET_TIMEOUT, SET_NODELAY, AWAIT, THROW;

        /** Operations that close the connection early; a scenario with none of them must move every byte. */
        boolean violent() {
            return this == DESTROY || this == DESTROY_ERROR || this == RESET || this == DESTROY_SOON || this == THROW;
        }
    }

    /**
     * One socket's set-up.
     *
     * @param allowHalfOpen  the option
     * @param highWaterMark  the option
     * @param mode           how it reads
     * @param pauseOnConnect server only: {@code ServerOptions.pauseOnConnect}
     * @param recorderFalseEvery PIPE: the recorder returns {@code false} on every n-th chunk (2 to 4)
     * @param streamWrites   STREAM: the sizes the output stream writes, in order
     * @param streamFlushes  STREAM: after which of those writes to {@code flush()}
     * @param streamClose    STREAM: {@code close()} the output stream (which ends the socket) after the writes
     * @param streamInline   STREAM, server only: write and then read inside the {@code CONNECTION} listener
     *                       itself, on the connection's own thread, instead of on two threads of their own
     */
    record SideConfig(boolean allowHalfOpen, int highWaterMark, ReadMode mode, boolean pauseOnConnect,
                      int recorderFalseEvery, List<Integer> streamWrites, Set<Integer> streamFlushes,
                      boolean streamClose, boolean streamInline) {

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(mode.toString());
            b.append(allowHalfOpen ? " allowHalfOpen" : "").append(" hwm=").append(highWaterMark);
            if (pauseOnConnect) {
                b.append(" pauseOnConnect");
            }
            if (mode == ReadMode.PIPE) {
                b.append(" recorderFalseEvery=").append(recorderFalseEvery);
            }
            if (mode == ReadMode.STREAM) {
                b.append(streamInline ? " inline-in-CONNECTION" : " on-own-threads").append(" writes=")
                        .append(streamWrites).append(" flushAfter=").append(streamFlushes)
                        .append(streamClose ? " then close()" : "");
            }
            return b.toString();
        }
    }

    /**
     * One operation.
     *
     * @param id       its number in the scenario (also the seed of its data)
     * @param target   the socket it acts on
     * @param kind     what it does
     * @param size     bytes for writes, characters for string writes
     * @param callback whether a write or end passes a callback
     * @param arg      SET_TIMEOUT: milliseconds; SET_NODELAY: 1 or 0; WRITE_STRING: the charset index
     * @param trigger  listener operations: the event that fires it, on {@code triggerSide}; else null
     * @param triggerSide listener operations: whose event
     * @param nth      listener operations: which occurrence of the event
     */
    record Op(int id, Side target, Kind kind, int size, boolean callback, int arg, @Nullable Trigger trigger,
              Side triggerSide, int nth) {

        static final List<Charset> CHARSETS = List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE,
                StandardCharsets.ISO_8859_1);

        String describe() {
            String where = trigger == null ? "" : "on " + triggerSide + "." + trigger + "#" + nth + ": ";
            String cb = callback ? ", cb" : "";
            String call = switch (kind) {
                case WRITE -> "write(" + size + " B" + cb + ")";
                case WRITE_STRING -> "write(" + size + " chars, " + CHARSETS.get(arg) + cb + ")";
                case END -> "end(" + (callback ? "cb" : "") + ")";
                case END_DATA -> "end(" + size + " B" + cb + ")";
                case DESTROY_ERROR -> "destroy(error)";
                case RESET -> "resetAndDestroy()";
                case DESTROY_SOON -> "destroySoon()";
                case SET_TIMEOUT -> "setTimeout(" + arg + " ms)";
                case SET_NODELAY -> "setNoDelay(" + (arg != 0) + ")";
                case AWAIT -> "await an event (at most " + ChaosRun.AWAIT_MILLIS + " ms)";
                case THROW -> "throw from the listener";
                default -> kind.name().toLowerCase(java.util.Locale.ROOT) + "()";
            };
            return "#" + id + " " + where + (kind == Kind.AWAIT ? target + ": " + call : target + "." + call);
        }
    }

    /** Upper bound of the bytes one scenario writes in all, so that a group stays within its time budget. */
    static final int MAX_BYTES = 3 << 20;

    /**
     * Makes the scenario of {@code seed} in {@code group}.
     *
     * @param group     {@code tcp}, {@code unix}, {@code streams} or {@code pipes}
     * @param seed      the seed
     */
    static Scenario generate(String group, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + group.hashCode());
        boolean unix = switch (group) {
            case "tcp" -> false;
            case "unix" -> true;
            default -> r.nextBoolean();
        };
        Side streamSide = group.equals("streams") ? (r.nextBoolean() ? Side.C : Side.V) : null;
        boolean pipes = group.equals("pipes");
        SideConfig client = side(r, Side.C, streamSide, pipes, false);
        SideConfig server = side(r, Side.V, streamSide, pipes, pipes && client.mode() != ReadMode.PIPE);
        // Half the scenarios never close early, so that the exact byte check (everything written arrives) runs
        // often; the other half mixes destroy, reset and throwing listeners in.
        boolean violent = r.nextInt(2) == 0;
        Generator g = new Generator(r, unix, violent, client, server);
        List<Op> testOps = g.ops(4 + r.nextInt(13), false);
        List<Op> threadOps = g.ops(r.nextInt(9), false);
        List<Op> listenerOps = g.ops(r.nextInt(7), true);
        if (!violent) {
            testOps = new ArrayList<>(testOps);
            testOps.addAll(g.ends());                     // peaceful: explicit ends only after the test's writes
        }
        return new Scenario(group, seed, unix, client, server, testOps, threadOps, listenerOps);
    }

    private static SideConfig side(SplittableRandom r, Side side, @Nullable Side streamSide, boolean pipes,
                                   boolean mustPipe) {
        ReadMode mode;
        if (side == streamSide) {
            mode = ReadMode.STREAM;
        } else {
            int p = r.nextInt(100);
            int pipeShare = pipes ? (mustPipe ? 100 : 50) : 15;
            if (p < pipeShare) {
                mode = side == Side.V && r.nextInt(3) == 0 ? ReadMode.ECHO : ReadMode.PIPE;
            } else {
                mode = ReadMode.EVENTS;
            }
        }
        int[] marks = {65536, 65536, 16384, 1024};
        List<Integer> writes = new ArrayList<>();
        Set<Integer> flushes = new java.util.TreeSet<>();
        if (mode == ReadMode.STREAM) {
            for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) {
                writes.add(size(r));
                if (r.nextInt(10) < 3) {
                    flushes.add(i);
                }
            }
        }
        return new SideConfig(r.nextBoolean(), marks[r.nextInt(marks.length)], mode,
                side == Side.V && r.nextInt(100) < 15, 2 + r.nextInt(3), List.copyOf(writes), Set.copyOf(flushes),
                mode == ReadMode.STREAM && r.nextBoolean(), side == Side.V && mode == ReadMode.STREAM && r.nextBoolean());
    }

    /** A write size: mostly small, sometimes up to 256 KiB. */
    static int size(SplittableRandom r) {
        int p = r.nextInt(100);
        if (p < 40) {
            return 1 + r.nextInt(64);
        }
        if (p < 70) {
            return 65 + r.nextInt(4032);
        }
        if (p < 90) {
            return 4097 + r.nextInt(61440);
        }
        return 65537 + r.nextInt(196608);
    }

    /** Draws operations that fit each socket's mode. */
    private static final class Generator {
        private final SplittableRandom r;
        private final boolean unix;
        private final boolean violent;
        private final SideConfig client;
        private final SideConfig server;
        private int nextId = 1;
        private long bytes;

        Generator(SplittableRandom r, boolean unix, boolean violent, SideConfig client, SideConfig server) {
            this.r = r;
            this.unix = unix;
            this.violent = violent;
            this.client = client;
            this.server = server;
        }

        /** A peaceful scenario's explicit ends, last on the test thread: none, one or both sockets. */
        List<Op> ends() {
            List<Op> out = new ArrayList<>(2);
            for (Side side : Side.values()) {
                ReadMode mode = config(side).mode();
                if (mode != ReadMode.ECHO && r.nextInt(10) < 6) {
                    boolean data = mode != ReadMode.STREAM && r.nextInt(3) == 0;
                    out.add(new Op(nextId++, side, data ? Kind.END_DATA : Kind.END, data ? budget(size(r)) : 0,
                            r.nextInt(10) < 6, 0, null, Side.C, 0));
                }
            }
            return out;
        }

        List<Op> ops(int n, boolean inListeners) {
            List<Op> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(inListeners ? listenerOp() : op(r.nextBoolean() ? Side.C : Side.V, null, Side.C, 0));
            }
            return out;
        }

        private Op listenerOp() {
            Side triggerSide = r.nextBoolean() ? Side.C : Side.V;
            SideConfig t = config(triggerSide);
            List<Trigger> triggers = new ArrayList<>(List.of(Trigger.CONNECT, Trigger.DRAIN, Trigger.END,
                    Trigger.FINISH, Trigger.TIMEOUT));
            if (t.mode() == ReadMode.EVENTS || t.mode() == ReadMode.PIPE) {
                triggers.add(Trigger.DATA);                  // a DATA listener or the recorder's write
                triggers.add(Trigger.DATA);
                triggers.add(Trigger.DATA);
            }
            Trigger trigger = triggers.get(r.nextInt(triggers.size()));
            int nth = switch (trigger) {
                case DATA -> 1 + r.nextInt(6);
                case DRAIN, TIMEOUT -> 1 + r.nextInt(2);
                default -> 1;
            };
            if (violent && r.nextInt(12) == 0) {
                return new Op(nextId++, triggerSide, Kind.THROW, 0, false, 0, trigger, triggerSide, nth);
            }
            return op(r.nextBoolean() ? Side.C : Side.V, trigger, triggerSide, nth);
        }

        private SideConfig config(Side side) {
            return side == Side.C ? client : server;
        }

        private Op op(Side target, @Nullable Trigger trigger, Side triggerSide, int nth) {
            ReadMode mode = config(target).mode();
            Set<Kind> allowed = EnumSet.of(Kind.SET_TIMEOUT, Kind.SET_NODELAY);
            // A peaceful scenario ends a socket early only inside END (the classic reply-then-end): writes after
            // an early end would fail with ERR_STREAM_WRITE_AFTER_END and leave the exact byte check out.
            boolean ends = violent || trigger == Trigger.END;
            if (mode != ReadMode.ECHO) {                  // the echo pipe alone writes to and ends an ECHO socket
                allowed.addAll(EnumSet.of(Kind.CORK, Kind.UNCORK));
                if (ends) {
                    allowed.add(Kind.END);
                }
            }
            if (mode == ReadMode.EVENTS || mode == ReadMode.PIPE) {
                allowed.addAll(EnumSet.of(Kind.WRITE, Kind.WRITE_STRING, Kind.PAUSE, Kind.RESUME));
                if (ends) {
                    allowed.add(Kind.END_DATA);
                }
            }
            if (violent) {
                allowed.addAll(EnumSet.of(Kind.DESTROY, Kind.DESTROY_ERROR, Kind.DESTROY_SOON));
                if (!unix) {
                    allowed.add(Kind.RESET);
                }
            }
            if (trigger == null) {
                allowed.add(Kind.AWAIT);
            }
            Kind kind;
            do {
                kind = pick();
            } while (!allowed.contains(kind));
            int size = 0;
            int arg = 0;
            switch (kind) {
                case WRITE, END_DATA -> size = budget(size(r));
                case WRITE_STRING -> {
                    size = 1 + r.nextInt(r.nextInt(4) == 0 ? 20000 : 200);
                    arg = r.nextInt(Op.CHARSETS.size());
                    budget(size * 4);
                }
                case SET_TIMEOUT -> arg = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(15);
                case SET_NODELAY -> arg = r.nextInt(2);
                default -> { }
            }
            boolean callback = (kind == Kind.WRITE || kind == Kind.WRITE_STRING || kind == Kind.END
                    || kind == Kind.END_DATA) && r.nextInt(10) < 6;
            return new Op(nextId++, target, kind, size, callback, arg, trigger, triggerSide, nth);
        }

        /** Weighted choice; the caller redraws what the socket's mode does not allow. */
        private Kind pick() {
            int p = r.nextInt(100);
            if (p < 26) {
                return Kind.WRITE;
            }
            if (p < 32) {
                return Kind.WRITE_STRING;
            }
            if (p < 37) {
                return Kind.CORK;
            }
            if (p < 43) {
                return Kind.UNCORK;
            }
            if (p < 49) {
                return Kind.PAUSE;
            }
            if (p < 55) {
                return Kind.RESUME;
            }
            if (p < 62) {
                return Kind.END;
            }
            if (p < 66) {
                return Kind.END_DATA;
            }
            if (p < 69) {
                return Kind.DESTROY;
            }
            if (p < 72) {
                return Kind.DESTROY_ERROR;
            }
            if (p < 75) {
                return Kind.RESET;
            }
            if (p < 77) {
                return Kind.DESTROY_SOON;
            }
            if (p < 83) {
                return Kind.SET_TIMEOUT;
            }
            if (p < 87) {
                return Kind.SET_NODELAY;
            }
            return Kind.AWAIT;
        }

        /** Caps the scenario's bytes: once the budget is spent, writes are a few bytes each. */
        private int budget(int n) {
            if (bytes + n > MAX_BYTES) {
                n = 1 + (int) (n % 16);
            }
            bytes += n;
            return n;
        }
    }

    /** The scenario as readable lines: set-up and every operation. */
    String describe() {
        StringBuilder b = new StringBuilder();
        b.append("scenario ").append(group).append(" seed ").append(seed).append(": ")
                .append(unix ? "Unix domain socket" : "TCP 127.0.0.1").append('\n');
        b.append("  C (client): ").append(client).append('\n');
        b.append("  V (server side): ").append(server).append('\n');
        b.append("  test thread:\n");
        testOps.forEach(op -> b.append("    ").append(op.describe()).append('\n'));
        b.append("  second thread:\n");
        threadOps.forEach(op -> b.append("    ").append(op.describe()).append('\n'));
        b.append("  listeners:\n");
        listenerOps.forEach(op -> b.append("    ").append(op.describe()).append('\n'));
        return b.toString();
    }
}
