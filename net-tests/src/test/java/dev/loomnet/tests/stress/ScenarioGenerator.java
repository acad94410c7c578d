package dev.loomnet.tests.stress;

import dev.loomnet.tests.stress.Scenario.AtOnce;
import dev.loomnet.tests.stress.Scenario.Attach;
import dev.loomnet.tests.stress.Scenario.Factory;
import dev.loomnet.tests.stress.Scenario.Kind;
import dev.loomnet.tests.stress.Scenario.Op;
import dev.loomnet.tests.stress.Scenario.ReadMode;
import dev.loomnet.tests.stress.Scenario.Refused;
import dev.loomnet.tests.stress.Scenario.Side;
import dev.loomnet.tests.stress.Scenario.SideConfig;
import dev.loomnet.tests.stress.Scenario.Trigger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Draws a {@link Scenario} from its group and seed: the transport, each pair's set-up, and the operations of
 * the test thread, the second thread and the listeners. Every draw comes from one {@link SplittableRandom}
 * seeded by the group and the seed, in a fixed order, so the same group and seed always give the same scenario;
 * a new draw goes after the existing ones (as the late groups' do), or every seed would make another scenario.
 */
final class ScenarioGenerator {

    private ScenarioGenerator() {
    }

    /** Upper bound of the bytes one scenario writes in all, so that a group stays within its time budget. */
    static final int MAX_BYTES = 3 << 20;

    /**
     * Makes the scenario of {@code seed} in {@code group}.
     *
     * @param group {@code tcp}, {@code unix}, {@code streams}, {@code pipes}, {@code text}, {@code onread},
     *              {@code multi}, {@code reconnect}, {@code late} or {@code quiet}
     * @param seed  the seed
     */
    static Scenario generate(String group, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + group.hashCode());
        boolean unix = switch (group) {
            case "tcp", "multi", "late" -> false;
            case "unix" -> true;
            default -> r.nextBoolean();
        };
        boolean reconnect = group.equals("reconnect");
        int pairs = switch (group) {
            case "multi" -> 2 + r.nextInt(3);
            case "reconnect" -> 2 + r.nextInt(2);
            case "late" -> 1 + r.nextInt(3);
            default -> 1;
        };
        // The server options are the server's: the same for every accepted socket.
        boolean serverHalfOpen = r.nextBoolean();
        int serverMark = mark(r);
        boolean pauseOnConnect = r.nextInt(100) < 15;
        List<SideConfig> clients = new ArrayList<>();
        List<SideConfig> servers = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            Side streamSide = group.equals("streams") ? (r.nextBoolean() ? Side.C : Side.V) : null;
            SideConfig client = side(r, group, Side.C, streamSide, clients.isEmpty() ? null : clients.get(0));
            SideConfig server = side(r, group, Side.V, streamSide,
                    group.equals("pipes") && client.mode() != ReadMode.PIPE ? client : null);
            server = new SideConfig(serverHalfOpen, serverMark, server.mode(), pauseOnConnect,
                    server.recorderFalseEvery(), server.streamWrites(), server.streamFlushes(), server.streamClose(),
                    server.streamInline(), server.text(), server.charset(), server.onreadBuffer(), Attach.EARLY,
                    Factory.SOCKET, false, AtOnce.NONE, false);
            if (Scenario.attachesLate(group)) {
                SideConfig[] late = late(r, group, unix, client, server);
                client = late[0];
                server = late[1];
            }
            clients.add(client);
            servers.add(server);
        }
        // Half the scenarios never close early, so that the exact byte check (everything written arrives) runs
        // often; the other half mixes destroy, reset and throwing listeners in.
        boolean violent = r.nextInt(2) == 0;
        int budget = switch (group) {
            case "onread", "text" -> MAX_BYTES / 4;
            case "multi", "reconnect", "late" -> MAX_BYTES / 4 / pairs;
            case "quiet" -> MAX_BYTES / 4;
            default -> MAX_BYTES;
        };
        List<Op> testOps = new ArrayList<>();
        List<Op> threadOps = new ArrayList<>();
        List<Op> listenerOps = new ArrayList<>();
        OpGenerator g = new OpGenerator(r, group, unix, violent, budget);
        for (int i = 0; i < pairs; i++) {
            g.pair(i, clients.get(i), servers.get(i));
            int scale = pairs == 1 ? 1 : 2;               // several pairs: fewer operations each
            testOps.addAll(g.ops((4 + r.nextInt(13)) / scale, false, true));
            threadOps.addAll(g.ops(r.nextInt(9) / scale, false, false));
            listenerOps.addAll(g.ops(r.nextInt(7) / scale + (pairs == 1 ? 0 : 1), true, false));
            if (!violent) {
                testOps.addAll(g.ends());                 // peaceful: explicit ends only after the test's writes
            }
        }
        List<Refused> refused = new ArrayList<>();
        if (group.equals("late")) {
            for (int i = 0, n = r.nextInt(3); i < n; i++) {
                refused.add(Refused.draw(r, i));
            }
        }
        return new Scenario(group, seed, unix, reconnect, List.copyOf(clients), List.copyOf(servers),
                List.copyOf(testOps), List.copyOf(threadOps), List.copyOf(listenerOps), List.copyOf(refused));
    }

    private static int mark(SplittableRandom r) {
        int[] marks = {65536, 65536, 16384, 1024};
        return marks[r.nextInt(marks.length)];
    }

    /**
     * One socket's set-up. {@code streamSide}: which side of the {@code streams} group reads in the blocking
     * style; {@code other}: for V of the pipes group, the client, which V must pipe unless it does; for a
     * later client of the reconnect group, the first one, whose socket options it shares.
     */
    private static SideConfig side(SplittableRandom r, String group, Side side, @Nullable Side streamSide,
                                   @Nullable SideConfig other) {
        boolean pipes = group.equals("pipes");
        boolean mustPipe = pipes && side == Side.V && other != null;
        boolean reconnectLater = group.equals("reconnect") && side == Side.C && other != null;
        ReadMode mode;
        if (side == streamSide) {
            mode = ReadMode.STREAM;
        } else if (reconnectLater && other.mode() == ReadMode.ONREAD) {
            mode = ReadMode.ONREAD;                       // the option belongs to the socket object
        } else if (side == Side.C && !reconnectLater && onreadShare(group) > r.nextInt(100)) {
            mode = ReadMode.ONREAD;
        } else {
            int p = r.nextInt(100);
            int pipeShare = pipes ? (mustPipe ? 100 : 50) : 15;
            if (p < pipeShare) {
                mode = side == Side.V && r.nextInt(3) == 0 ? ReadMode.ECHO : ReadMode.PIPE;
            } else if ((group.equals("text") && r.nextInt(3) == 0)
                    || (group.equals("reconnect") && r.nextInt(5) == 0)) {
                mode = ReadMode.TEXT;
            } else {
                mode = ReadMode.EVENTS;
            }
        }
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
        // A TEXT listener next to the byte recorder: most sockets of the text group, a few of the others.
        int textShare = switch (group) {
            case "text" -> 70;
            case "reconnect" -> 20;
            default -> 10;
        };
        boolean text = mode == ReadMode.TEXT
                || ((mode == ReadMode.EVENTS || mode == ReadMode.PIPE) && r.nextInt(100) < textShare);
        int charset = text && r.nextInt(4) == 0 ? 1 : 0;
        int onreadBuffer = r.nextBoolean() ? 64 + r.nextInt(8192) : -(64 + r.nextInt(16384));
        boolean halfOpen = r.nextBoolean();
        int mark = mark(r);
        if (reconnectLater) {
            halfOpen = other.allowHalfOpen();
            mark = other.highWaterMark();
            onreadBuffer = other.onreadBuffer();
        }
        int falseEvery = mode == ReadMode.ONREAD ? (r.nextInt(4) == 0 ? 0 : 2 + r.nextInt(5)) : 2 + r.nextInt(3);
        return new SideConfig(halfOpen, mark, mode, false, falseEvery, List.copyOf(writes), Set.copyOf(flushes),
                mode == ReadMode.STREAM && r.nextBoolean(), side == Side.V && mode == ReadMode.STREAM && r.nextBoolean(),
                text, charset, onreadBuffer, Attach.EARLY, Factory.SOCKET, false, AtOnce.NONE, false);
    }

    /**
     * The late groups' settings of one pair, drawn after everything the other groups draw: the client's read
     * mode (QUIET: always in {@code quiet}, one in five in {@code late}), how and when it attaches, what its
     * accepted socket does at once and whether that one is silent. {@code SETTLED} needs a server that ends,
     * destroys or resets at once: only then does the connection surely end with nobody listening.
     */
    private static SideConfig[] late(SplittableRandom r, String group, boolean unix, SideConfig client,
                                     SideConfig server) {
        boolean quietGroup = group.equals("quiet");
        ReadMode mode = quietGroup || r.nextInt(5) == 0 ? ReadMode.QUIET : client.mode();
        boolean text = mode != ReadMode.QUIET
                && (client.text() || ((mode == ReadMode.EVENTS || mode == ReadMode.PIPE) && r.nextInt(5) == 0));
        AtOnce[] atOnces = unix ? new AtOnce[] {AtOnce.END, AtOnce.DESTROY, AtOnce.GREET, AtOnce.GREET_END}
                : new AtOnce[] {AtOnce.END, AtOnce.DESTROY, AtOnce.RESET, AtOnce.GREET, AtOnce.GREET_END};
        AtOnce atOnce = r.nextInt(100) < (quietGroup ? 40 : 45) ? atOnces[r.nextInt(atOnces.length)] : AtOnce.NONE;
        // A quiet client's server is silent half the time, so that the client must see END with no reader at
        // all; a server that ends at once never writes (its writes would only fail).
        boolean greets = atOnce == AtOnce.GREET || atOnce == AtOnce.GREET_END;
        boolean silent = atOnce == AtOnce.END || (mode == ReadMode.QUIET && !greets && r.nextBoolean());
        // an echo writes only what it reads: neither silent nor greeting
        ReadMode serverMode = (silent || greets) && server.mode() == ReadMode.ECHO ? ReadMode.EVENTS : server.mode();
        int p = r.nextInt(100);
        Attach attach;
        if (quietGroup && p < 35) {
            attach = Attach.EARLY;
        } else if (atOnce.endsUnread() && p >= 65) {
            attach = Attach.SETTLED;
        } else {
            attach = p % 2 == 0 ? Attach.NOW : Attach.WAIT;
        }
        Factory factory = Factory.SOCKET;
        boolean connectCallback = false;
        if (attach != Attach.EARLY) {
            Factory[] factories = Factory.values();
            factory = factories[r.nextInt(unix ? factories.length - 1 : factories.length)];   // no lookup for a path
            connectCallback = r.nextInt(5) == 0;
        }
        return new SideConfig[] {
            client.with(mode, text, attach, factory, connectCallback, AtOnce.NONE, false),
            server.with(serverMode, server.text(), Attach.EARLY, Factory.SOCKET, false, atOnce, silent)};
    }

    private static int onreadShare(String group) {
        return switch (group) {
            case "onread" -> 100;
            case "multi", "reconnect" -> 25;
            case "late" -> 20;
            default -> 0;
        };
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
    private static final class OpGenerator {
        private final SplittableRandom r;
        private final String group;
        private final boolean unix;
        private final boolean violent;
        private final long maxBytes;
        private int pair;
        private @Nullable SideConfig client;
        private @Nullable SideConfig server;
        private int nextId = 1;
        private long bytes;

        OpGenerator(SplittableRandom r, String group, boolean unix, boolean violent, long maxBytes) {
            this.r = r;
            this.group = group;
            this.unix = unix;
            this.violent = violent;
            this.maxBytes = maxBytes;
        }

        /** The pair the next operations act on; each pair has a byte budget of its own. */
        void pair(int index, SideConfig c, SideConfig v) {
            pair = index;
            client = c;
            server = v;
            bytes = 0;
        }

        /** A peaceful scenario's explicit ends, last on the test thread: none, one or both sockets. */
        List<Op> ends() {
            List<Op> out = new ArrayList<>(2);
            for (Side side : Side.values()) {
                ReadMode mode = config(side).mode();
                if (mode != ReadMode.ECHO && r.nextInt(10) < 6) {
                    boolean data = mode != ReadMode.STREAM && r.nextInt(3) == 0 && !config(side).silent();
                    out.add(new Op(nextId++, pair, side, data ? Kind.END_DATA : Kind.END,
                            data ? budget(size(r)) : 0, r.nextInt(10) < 6, 0, null, Side.C, 0));
                }
            }
            return out;
        }

        /** {@code testThread}: the test thread's operations, the only ones that may be {@code WHEN}. */
        List<Op> ops(int n, boolean inListeners, boolean testThread) {
            List<Op> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(inListeners ? listenerOp()
                        : op(r.nextBoolean() ? Side.C : Side.V, null, Side.C, 0, testThread));
            }
            return out;
        }

        private Op listenerOp() {
            Side triggerSide = r.nextBoolean() ? Side.C : Side.V;
            SideConfig t = config(triggerSide);
            List<Trigger> triggers = new ArrayList<>(List.of(Trigger.CONNECT, Trigger.DRAIN, Trigger.END,
                    Trigger.FINISH, Trigger.TIMEOUT));
            if (t.mode().takesOps()) {
                triggers.add(Trigger.DATA);                  // a DATA listener, the recorder's write or onread
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
                return new Op(nextId++, pair, triggerSide, Kind.THROW, 0, false, 0, trigger, triggerSide, nth);
            }
            return op(r.nextBoolean() ? Side.C : Side.V, trigger, triggerSide, nth, false);
        }

        private SideConfig config(Side side) {
            return java.util.Objects.requireNonNull(side == Side.C ? client : server);
        }

        private Op op(Side target, @Nullable Trigger trigger, Side triggerSide, int nth, boolean testThread) {
            SideConfig cfg = config(target);
            ReadMode mode = cfg.mode();
            Set<Kind> allowed = EnumSet.of(Kind.SET_TIMEOUT, Kind.SET_NODELAY, Kind.SET_KEEPALIVE, Kind.REF,
                    Kind.UNREF, Kind.GET_CONNECTIONS);
            // A peaceful scenario ends a socket early only inside END (the classic reply-then-end): writes after
            // an early end would fail with ERR_STREAM_WRITE_AFTER_END and leave the exact byte check out.
            boolean ends = violent || trigger == Trigger.END;
            if (mode != ReadMode.ECHO) {                  // the echo pipe alone writes to and ends an ECHO socket
                allowed.addAll(EnumSet.of(Kind.CORK, Kind.UNCORK));
                if (ends) {
                    allowed.add(Kind.END);
                }
            }
            if (mode.takesOps()) {
                allowed.addAll(EnumSet.of(Kind.PAUSE, Kind.RESUME));
            }
            if (mode.writtenByOps() && !cfg.silent()) {
                allowed.addAll(EnumSet.of(Kind.WRITE, Kind.WRITE_STRING, Kind.WRITE_TEXT));
                if (ends) {
                    allowed.add(Kind.END_DATA);
                }
            }
            if (cfg.hasText()) {
                allowed.add(Kind.SET_ENCODING);
            }
            if (mode == ReadMode.PIPE && group.equals("pipes")) {
                allowed.add(Kind.UNPIPE);
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
            if (testThread) {
                allowed.add(Kind.WHEN);                   // weighs nothing outside the late groups
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
                    arg = r.nextInt(Scenario.CHARSETS.size());
                    budget(size * 4);
                }
                case WRITE_TEXT -> {
                    size = 1 + r.nextInt(r.nextInt(4) == 0 ? 4000 : 40);
                    arg = 2 + r.nextInt(3);
                    budget(size * 4);
                }
                case SET_TIMEOUT -> arg = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(15);
                case SET_NODELAY -> arg = r.nextInt(2);
                case SET_KEEPALIVE -> arg = r.nextInt(3) == 0 ? 0 : r.nextBoolean() ? 1 : 1 + r.nextInt(10);
                case UNPIPE -> arg = r.nextInt(2);
                case WHEN -> arg = r.nextInt(WhenChecks.WHEN_NAMES.size());
                default -> { }
            }
            boolean callback = (kind == Kind.WRITE || kind == Kind.WRITE_STRING || kind == Kind.WRITE_TEXT
                    || kind == Kind.END || kind == Kind.END_DATA) && r.nextInt(10) < 6;
            return new Op(nextId++, pair, target, kind, size, callback, arg, trigger, triggerSide, nth);
        }

        /** Weighted choice; the caller redraws what the socket's mode does not allow. */
        private Kind pick() {
            int total = 0;
            for (Kind k : Kind.values()) {
                total += k.weight(group);
            }
            int p = r.nextInt(total);
            for (Kind k : Kind.values()) {
                p -= k.weight(group);
                if (p < 0) {
                    return k;
                }
            }
            throw new AssertionError("weights");
        }

        /** Caps the pair's bytes: once the budget is spent, writes are a few bytes each. */
        private int budget(int n) {
            if (bytes + n > maxBytes) {
                n = 1 + n % 16;
            }
            bytes += n;
            return n;
        }
    }
}
