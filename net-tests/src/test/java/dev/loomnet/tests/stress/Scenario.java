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
 * One chaos scenario, made from a seed alone: the transport, one or more client/accepted-socket pairs, how
 * each socket is configured and read, and the operations to run on them from the test thread, from a second
 * plain virtual thread and from inside listeners. The same group and seed always give the same scenario (the
 * timing of a run does not), so a failure is rerun with {@code -Dchaos.seeds=SEED} on the group's test method.
 *
 * <p>Most groups have one pair. {@code multi} connects two to four clients to the server at once, each pair
 * with its own operations and invariants; {@code reconnect} has two or three pairs that run one after the
 * other, every client of them the same {@code Socket} object, connected again after its {@code CLOSE}.
 * {@code late} (one to three pairs, and up to two {@link Refused} clients) and {@code quiet} (one pair, its
 * client QUIET) attach most clients' listeners after {@code connect()} returned ({@link Attach}); their draws
 * come after everything the other groups draw, so those groups' seeds still make the scenarios they made.
 *
 * @param group     the test group that made it (part of what the seed means)
 * @param seed      the seed
 * @param unix      Unix domain socket in a temporary directory instead of TCP on 127.0.0.1
 * @param reconnect the pairs run one after the other, on one client socket connected again each time
 * @param clients   each pair's client set-up
 * @param servers   each pair's accepted socket set-up (the server options are the same in all)
 * @param testOps   operations the test thread runs in order, right after {@code connect()}
 * @param threadOps operations a second plain virtual thread runs in order, at the same time
 * @param listenerOps operations each run once, inside a listener, on the n-th occurrence of its trigger
 * @param refused   {@code late} only: clients of a port nothing listens on, with no accepted socket
 */
record Scenario(String group, long seed, boolean unix, boolean reconnect, List<SideConfig> clients,
                List<SideConfig> servers, List<Op> testOps, List<Op> threadOps, List<Op> listenerOps,
                List<Refused> refused) {

    /** Which socket of a pair: the client, or the server's accepted socket. */
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
        STREAM,
        /** Only a {@code TEXT} listener: the bytes are not seen, only their decoding and {@code bytesRead()}. */
        TEXT,
        /** Client only: Node's {@code onread} option, a callback that returns {@code false} now and then. */
        ONREAD,
        /**
         * Client only: no {@code DATA} or {@code TEXT} listener, no pipe, never resumed or paused: it reads ahead
         * alone, so it must still see the server's FIN ({@code END}) or reset ({@code ECONNRESET}). The scenario's
         * operations write to and end it. If its server may write, the finale gives it a {@code DATA} recorder.
         */
        QUIET;

        /** Whether the test sees every byte this socket reads (as chunks, stream reads or onread calls). */
        boolean recordsBytes() {
            return this != ECHO && this != TEXT;
        }

        /** Whether the scenario's operations write to, end, pause and resume this socket. */
        boolean takesOps() {
            return this == EVENTS || this == PIPE || this == TEXT || this == ONREAD;
        }

        /** Whether the scenario's operations write to this socket (a QUIET one is written, never paused). */
        boolean writtenByOps() {
            return takesOps() || this == QUIET;
        }
    }

    /** When a client's recorders, read mode and triggers are attached, relative to its {@code connect()}. */
    enum Attach {
        /** Before {@code connect()}, as Node code does; nothing needs to be kept. */
        EARLY,
        /** Right after {@code connect()} returned, from the test thread. */
        NOW,
        /** After a short bounded wait, once the server accepted: read-ahead bytes or the FIN may be in already. */
        WAIT,
        /** Once the connection surely ended or failed (its server ends, destroys or resets it at once). */
        SETTLED
    }

    /** How a client that attaches late is created and connected. */
    enum Factory {
        /** {@code Net.socket(options)}, then {@code connect(port, host)} or {@code connect(path)}. */
        SOCKET,
        /** {@code Net.connect(ConnectOptions)}. */
        CONNECT,
        /** {@code Net.createConnection(ConnectOptions)}. */
        CREATE,
        /** {@code Net.connect(ConnectOptions)} with a host name and a lookup function: {@code LOOKUP} is emitted. */
        LOOKUP
    }

    /**
     * What an accepted socket does in its {@code CONNECTION} listener, before anything else: end, destroy or
     * reset itself, or greet its client ({@code write}, or {@code end(data)} as Node's {@code s.end("hello")}).
     */
    enum AtOnce {
        NONE, END, DESTROY, RESET, GREET, GREET_END;

        /** Whether the client's connection ends or fails with nothing to read, so it closes with nobody reading. */
        boolean endsUnread() {
            return this == END || this == DESTROY || this == RESET;
        }
    }

    /** An event whose n-th occurrence fires a listener operation ({@code CONNECT} is {@code CONNECTION} for V). */
    enum Trigger { CONNECT, DATA, DRAIN, END, FINISH, TIMEOUT }

    /** What an operation does. */
    enum Kind {
        WRITE, WRITE_STRING, WRITE_TEXT, CORK, UNCORK, PAUSE, RESUME, END, END_DATA, DESTROY, DESTROY_ERROR, RESET,
        DESTROY_SOON, SET_TIMEOUT, SET_NODELAY, SET_KEEPALIVE, REF, UNREF, SET_ENCODING, UNPIPE, GET_CONNECTIONS,
        AWAIT, THROW, WHEN;

        /** Operations that close the connection early; a scenario with none of them must move every byte. */
        boolean violent() {
            return this == DESTROY || this == DESTROY_ERROR || this == RESET || this == DESTROY_SOON || this == THROW;
        }

        /**
         * Weight of the kind in {@link Generator#pick()} (the caller redraws what a socket does not allow).
         * {@code WHEN} exists only in the groups that attach late, so that the other groups' seeds still make
         * the scenarios they always made.
         */
        int weight(String group) {
            return switch (this) {
                case WRITE -> 24;
                case WRITE_STRING, CORK, UNCORK, PAUSE, RESUME, SET_TIMEOUT, WRITE_TEXT -> 5;
                case END -> 7;
                case END_DATA, SET_NODELAY, SET_KEEPALIVE -> 3;
                case DESTROY, DESTROY_ERROR, RESET -> 3;
                case DESTROY_SOON, REF, UNREF, SET_ENCODING, GET_CONNECTIONS -> 2;
                case UNPIPE -> 4;
                case AWAIT -> 12;
                case THROW -> 0;
                case WHEN -> attachesLate(group) ? 8 : 0;
            };
        }
    }

    /** Charsets of {@code WRITE_STRING} writes, and of {@code TEXT} decoding (the first two only). */
    static final List<Charset> CHARSETS = List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE,
            StandardCharsets.ISO_8859_1);

    /**
     * One socket's set-up.
     *
     * @param allowHalfOpen  the option
     * @param highWaterMark  the option
     * @param mode           how it reads
     * @param pauseOnConnect server only: {@code ServerOptions.pauseOnConnect}
     * @param recorderFalseEvery PIPE: the recorder returns {@code false} on every n-th chunk (2 to 4); ONREAD:
     *                       the callback returns {@code false} on every n-th read (0: never)
     * @param streamWrites   STREAM: the sizes the output stream writes, in order
     * @param streamFlushes  STREAM: after which of those writes to {@code flush()}
     * @param streamClose    STREAM: {@code close()} the output stream (which ends the socket) after the writes
     * @param streamInline   STREAM, server only: write and then read inside the {@code CONNECTION} listener
     *                       itself, on the connection's own thread, instead of on two threads of their own
     * @param text           a {@code TEXT} listener records the decoded text (always for mode TEXT; for EVENTS
     *                       and PIPE next to the byte recorder)
     * @param charset        the index in {@link #CHARSETS} of the encoding {@code setEncoding} sets (text only)
     * @param onreadBuffer   ONREAD: the size of the one static buffer, or, if negative, the upper bound of the
     *                       random sizes a buffer function hands out, a fresh array per read
     * @param attach         client only: when its listeners are attached ({@code EARLY} but in the late groups)
     * @param factory        client only: how it is made and connected when it attaches late
     * @param connectCallback client only: {@code connect} gets a listener (in time, unlike the recorders), which
     *                       records {@code connect-cb}; the recorder's late {@code CONNECT} listener may then miss
     *                       {@code CONNECT} (an emission heard only by listeners in time is not kept)
     * @param atOnce         server only: what the accepted socket does to itself in its {@code CONNECTION} listener
     * @param silent         server only: it never writes (no write operations, not an echo), so a QUIET client
     *                       must close without anybody reading it
     */
    record SideConfig(boolean allowHalfOpen, int highWaterMark, ReadMode mode, boolean pauseOnConnect,
                      int recorderFalseEvery, List<Integer> streamWrites, Set<Integer> streamFlushes,
                      boolean streamClose, boolean streamInline, boolean text, int charset, int onreadBuffer,
                      Attach attach, Factory factory, boolean connectCallback, AtOnce atOnce, boolean silent) {

        /** This set-up with the late groups' settings. */
        SideConfig with(ReadMode newMode, boolean newText, Attach newAttach, Factory newFactory,
                        boolean newConnectCallback, AtOnce newAtOnce, boolean newSilent) {
            return new SideConfig(allowHalfOpen, highWaterMark, newMode, pauseOnConnect, recorderFalseEvery,
                    streamWrites, streamFlushes, streamClose, streamInline, newText, charset, onreadBuffer, newAttach,
                    newFactory, newConnectCallback, newAtOnce, newSilent);
        }

        /** Whether a {@code TEXT} listener records this socket's text. */
        boolean hasText() {
            return text || mode == ReadMode.TEXT;
        }

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
            if (hasText()) {
                b.append(mode == ReadMode.TEXT ? "" : " +TEXT").append(" encoding=").append(CHARSETS.get(charset));
            }
            if (mode == ReadMode.ONREAD) {
                b.append(onreadBuffer > 0 ? " static buffer " + onreadBuffer : " fresh buffers up to " + -onreadBuffer)
                        .append(" falseEvery=").append(recorderFalseEvery);
            }
            if (mode == ReadMode.STREAM) {
                b.append(streamInline ? " inline-in-CONNECTION" : " on-own-threads").append(" writes=")
                        .append(streamWrites).append(" flushAfter=").append(streamFlushes)
                        .append(streamClose ? " then close()" : "");
            }
            if (attach != Attach.EARLY) {
                b.append(" made by ").append(factory).append(connectCallback ? " with a connect listener" : "")
                        .append(", listeners attached ").append(attach).append(" after connect()");
            }
            if (atOnce != AtOnce.NONE) {
                b.append(" ").append(atOnce).append(" at once in CONNECTION");
            }
            if (silent) {
                b.append(" silent");
            }
            return b.toString();
        }
    }

    /**
     * One operation.
     *
     * @param id       its number in the scenario (also the seed of its data)
     * @param pair     the pair it acts on
     * @param target   the socket of that pair it acts on
     * @param kind     what it does
     * @param size     bytes for writes, characters for string and text writes
     * @param callback whether a write or end passes a callback
     * @param arg      SET_TIMEOUT: milliseconds; SET_NODELAY: 1 or 0; SET_KEEPALIVE: 0 off, 1 on, more: on with
     *                 that many seconds of initial delay; WRITE_STRING: the charset index; WRITE_TEXT: how many
     *                 writes the text is split into; UNPIPE: 0 for {@code unpipe(recorder)}, 1 for {@code unpipe()}
     * @param trigger  listener operations: the event that fires it, on {@code triggerSide}; else null
     * @param triggerSide listener operations: whose event (of the same pair)
     * @param nth      listener operations: which occurrence of the event
     */
    record Op(int id, int pair, Side target, Kind kind, int size, boolean callback, int arg,
              @Nullable Trigger trigger, Side triggerSide, int nth) {

        String describe() {
            String where = trigger == null ? "" : "on " + triggerSide + pair + "." + trigger + "#" + nth + ": ";
            String cb = callback ? ", cb" : "";
            String call = switch (kind) {
                case WRITE -> "write(" + size + " B" + cb + ")";
                case WRITE_STRING -> "write(" + size + " chars, " + CHARSETS.get(arg) + cb + ")";
                case WRITE_TEXT -> "write(" + size + " chars in the peer's encoding, split into " + arg
                        + " writes at random byte offsets" + cb + ")";
                case END -> "end(" + (callback ? "cb" : "") + ")";
                case END_DATA -> "end(" + size + " B" + cb + ")";
                case DESTROY_ERROR -> "destroy(error)";
                case RESET -> "resetAndDestroy()";
                case DESTROY_SOON -> "destroySoon()";
                case SET_TIMEOUT -> "setTimeout(" + arg + " ms)";
                case SET_NODELAY -> "setNoDelay(" + (arg != 0) + ")";
                case SET_KEEPALIVE -> "setKeepAlive(" + (arg != 0) + (arg > 1 ? ", " + arg + " s" : "") + ")";
                case SET_ENCODING -> "setEncoding(its encoding again)";
                case UNPIPE -> (arg == 0 ? "unpipe(recorder)" : "unpipe()") + ", then a DATA listener and resume()";
                case GET_CONNECTIONS -> "server.getConnections(cb)";
                case AWAIT -> "await an event (at most " + ChaosRun.AWAIT_MILLIS + " ms)";
                case WHEN -> "when(" + ChaosRun.WHEN_NAMES.get(arg) + ").get(bounded)";
                case THROW -> "throw from the listener";
                default -> kind.name().toLowerCase(java.util.Locale.ROOT) + "()";
            };
            String who = target.toString() + pair;
            return "#" + id + " " + where + (kind == Kind.AWAIT ? who + ": " + call : who + "." + call);
        }
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
            if (attachesLate(group)) {
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
        Generator g = new Generator(r, group, unix, violent, budget);
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

    /**
     * A client of the {@code late} group that connects to a port nothing listens on, with its listeners attached
     * after {@code connect()} returned; {@link RefusedClient} runs and checks it.
     *
     * @param id         its number among the scenario's refused clients
     * @param factory    how it is made and connected
     * @param settled    its listeners come only once it surely failed ({@code destroyed()}); else right away
     * @param closeFirst {@code CLOSE} is listened to first, and {@code ERROR} only once {@code CLOSE} came: the
     *                   kept {@code ERROR} must still come, once, and nothing may go uncaught
     * @param write      0: no write; 1: a write with a callback before the listeners; 2: after them
     * @param when       -1: none; else the index in {@link ChaosRun#WHEN_EVENTS} of a {@code when(event)}
     *                   awaited once the listeners are attached
     * @param unheard    no {@code ERROR} listener for its first connection: the error is reported to the uncaught
     *                   exception handler when it connects again (to the same port, now with listeners)
     */
    record Refused(int id, Factory factory, boolean settled, boolean closeFirst, int write, int when,
                   boolean unheard) {

        static Refused draw(SplittableRandom r, int id) {
            Factory factory = Factory.values()[r.nextInt(Factory.values().length)];
            boolean unheard = r.nextInt(5) == 0;
            int[] whens = {-1, -1, 0, 4, 5};
            return new Refused(id, factory, r.nextBoolean(), !unheard && r.nextInt(3) == 0, r.nextInt(3),
                    unheard ? -1 : whens[r.nextInt(whens.length)], unheard);
        }

        String describe() {
            return "R" + id + " (refused): made by " + factory + ", listeners attached "
                    + (settled ? "once destroyed" : "right after connect()")
                    + (closeFirst ? ", CLOSE first and ERROR only after CLOSE came" : "")
                    + (write == 1 ? ", a write(cb) before the listeners" : write == 2 ? ", a write(cb) after them" : "")
                    + (when >= 0 ? ", when(" + ChaosRun.WHEN_NAMES.get(when) + ")" : "")
                    + (unheard ? ", no ERROR listener, then connected again with listeners" : "");
        }
    }

    /** The pairs. */
    int pairs() {
        return clients.size();
    }

    /** The first pair's accepted socket set-up, which carries the server's options. */
    SideConfig server() {
        return servers.get(0);
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

    /** The groups whose clients attach their listeners after {@code connect()}, and whose clients may be QUIET. */
    static boolean attachesLate(String group) {
        return group.equals("late") || group.equals("quiet");
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
    private static final class Generator {
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

        Generator(SplittableRandom r, String group, boolean unix, boolean violent, long maxBytes) {
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
                    arg = r.nextInt(CHARSETS.size());
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
                case WHEN -> arg = r.nextInt(ChaosRun.WHEN_NAMES.size());
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

    /** The scenario as readable lines: set-up and every operation. */
    String describe() {
        StringBuilder b = new StringBuilder();
        b.append("scenario ").append(group).append(" seed ").append(seed).append(": ")
                .append(unix ? "Unix domain socket" : "TCP 127.0.0.1");
        if (pairs() > 1) {
            b.append(", ").append(pairs()).append(reconnect ? " connections of one client socket, one after the other"
                    : " clients at once");
        }
        b.append('\n');
        for (int i = 0; i < pairs(); i++) {
            b.append("  C").append(i).append(" (client): ").append(clients.get(i)).append('\n');
            b.append("  V").append(i).append(" (server side): ").append(servers.get(i)).append('\n');
        }
        b.append("  test thread:\n");
        testOps.forEach(op -> b.append("    ").append(op.describe()).append('\n'));
        b.append("  second thread:\n");
        threadOps.forEach(op -> b.append("    ").append(op.describe()).append('\n'));
        b.append("  listeners:\n");
        listenerOps.forEach(op -> b.append("    ").append(op.describe()).append('\n'));
        refused.forEach(c -> b.append("  ").append(c.describe()).append('\n'));
        return b.toString();
    }
}
