package dev.loomnet.tests.stress;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * One chaos scenario, made from a seed alone ({@link ScenarioGenerator}): the transport, one or more
 * client/accepted-socket pairs, how each socket is configured and read, and the operations to run on them from
 * the test thread, from a second plain virtual thread and from inside listeners. The same group and seed always
 * give the same scenario (the timing of a run does not), so a failure is rerun with {@code -Dchaos.seeds=SEED}
 * on the group's test method.
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
         * Weight of the kind when {@link ScenarioGenerator} draws one (it redraws what a socket does not allow).
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
                case AWAIT -> "await an event (at most " + Operations.AWAIT_MILLIS + " ms)";
                case WHEN -> "when(" + WhenChecks.WHEN_NAMES.get(arg) + ").get(bounded)";
                case THROW -> "throw from the listener";
                default -> kind.name().toLowerCase(java.util.Locale.ROOT) + "()";
            };
            String who = target.toString() + pair;
            return "#" + id + " " + where + (kind == Kind.AWAIT ? who + ": " + call : who + "." + call);
        }
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
     * @param when       -1: none; else the index in {@link WhenChecks#WHEN_EVENTS} of a {@code when(event)}
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
                    + (when >= 0 ? ", when(" + WhenChecks.WHEN_NAMES.get(when) + ")" : "")
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

    /** The groups whose clients attach their listeners after {@code connect()}, and whose clients may be QUIET. */
    static boolean attachesLate(String group) {
        return group.equals("late") || group.equals("quiet");
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
