package dev.loomnet.tests.stress;

import dev.loomnet.net.NetException;
import dev.loomnet.net.StringDecoder;
import dev.loomnet.tests.stress.Scenario.ReadMode;
import dev.loomnet.tests.stress.Scenario.Side;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The invariants every chaos run must satisfy once both sockets have closed, whatever the operations did.
 * Each is stated where it is checked; the sources are the Javadoc of {@code Socket}, docs/guide.md,
 * docs/ARCHITECTURE.md, and Node's stream rules where loomnet follows them.
 */
final class Invariants {

    private Invariants() {
    }

    /** Checks one pair; what is wrong is added to {@code out}, prefixed with the pair's number if there are several. */
    static void check(Scenario scenario, Peer client, Peer server, List<String> out) {
        List<String> found = new ArrayList<>();
        // The other accepted sockets may still be open inside V's CLOSE, unless the pairs run one after another.
        int othersOpen = scenario.reconnect() ? 0 : scenario.pairs() - 1;
        for (Peer p : List.of(client, server)) {
            events(p, othersOpen, found);
            callbacks(p, found);
            p.anomalies.forEach(a -> found.add(p.side + ": " + a));
        }
        bytes(client, server, found);
        bytes(server, client, found);
        text(client, server, found);
        text(server, client, found);
        exact(client, server, found);
        String prefix = scenario.pairs() > 1 ? "pair " + client.pair + ": " : "";
        found.forEach(f -> out.add(prefix + f));
    }

    /**
     * An end callback that got ERR_STREAM_ALREADY_FINISHED, which is right only once FINISH was emitted. A
     * recorder attached late may hear FINISH only after the callback ran: then the socket must at least have
     * been ended already when {@code end(cb)} was called.
     */
    private static boolean alreadyFinished(Peer p, Peer.Cb cb) {
        Throwable e = cb.error.get();
        return cb.write < 0 && e != null && Peer.code(e).equals(NetException.ERR_STREAM_ALREADY_FINISHED)
                && (cb.afterFinish || (p.late && cb.notWritableAtCall));
    }

    /** The events with callback results and notes left out. */
    private static List<String> events(Peer p) {
        return p.log.stream().filter(e -> !e.startsWith("cb:") && !e.startsWith("note:")).toList();
    }

    /** Whether {@code entry} is the event {@code name}, with or without an argument ({@code close:true}). */
    private static boolean is(String entry, String name) {
        return entry.equals(name) || entry.startsWith(name + ":");
    }

    private static long count(List<String> events, String name) {
        return events.stream().filter(e -> is(e, name)).count();
    }

    private static int firstOf(List<String> events, List<String> names) {
        for (int i = 0; i < events.size(); i++) {
            for (String name : names) {
                if (is(events.get(i), name)) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static int first(List<String> events, String name) {
        for (int i = 0; i < events.size(); i++) {
            if (is(events.get(i), name)) {
                return i;
            }
        }
        return -1;
    }

    private static void events(Peer p, int othersOpen, List<String> out) {
        List<String> ev = events(p);
        String who = p.side + ": ";
        // CLOSE exactly once, and nothing after it (guide.md: "CLOSE is emitted exactly once").
        long closes = count(ev, "close");
        int close = first(ev, "close");
        if (closes != 1) {
            out.add(who + "CLOSE emitted " + closes + " times");
        } else if (close != ev.size() - 1) {
            out.add(who + "events after CLOSE: " + ev.subList(close + 1, ev.size()));
        }
        for (String once : List.of("end", "finish", "connect", "ready", "error")) {
            if (count(ev, once) > 1) {
                out.add(who + once + " emitted " + count(ev, once) + " times");
            }
        }
        // ERROR only from destroy(error), emitted right before CLOSE(true) (ARCHITECTURE.md, invariants); so
        // also never before CONNECT, END or FINISH. CLOSE(hadError) is true iff ERROR was emitted.
        int error = first(ev, "error");
        if (error >= 0 && error + 1 != close) {
            out.add(who + "ERROR is not immediately followed by CLOSE");
        }
        if (close >= 0 && ev.get(close).equals("close:true") != (error >= 0)) {
            out.add(who + ev.get(close) + " but ERROR " + (error >= 0 ? "was" : "was not") + " emitted");
        }
        if (error >= 0) {
            Throwable e = p.errors.get(0);
            if (!(e instanceof NetException) && p.ownErrors.stream().noneMatch(own -> own == e)) {
                out.add(who + "ERROR with an error that is neither a NetException nor the test's own: " + e);
            }
        }
        int end = first(ev, "end");
        if (end >= 0 && ev.subList(end, ev.size()).stream().anyMatch(e -> is(e, "data"))) {
            out.add(who + "DATA after END");
        }
        // The decoder's tail is flushed before END (Inbound), so no text comes after it either.
        if (end >= 0 && ev.subList(end, ev.size()).stream().anyMatch(e -> is(e, "text"))) {
            out.add(who + "TEXT after END");
        }
        if (p.side == Side.C) {
            // Nothing is read, flushed or finished before CONNECT (writes made while connecting leave with it).
            // A listener passed to connect() is in time: an emission heard only by it is not kept, so a recorder
            // attached late may miss CONNECT; that listener's own record (connect-cb) then stands for it.
            int connect = first(ev, "connect");
            int connectCb = first(ev, "connect-cb");
            int connected = connect < 0 ? connectCb : connectCb < 0 ? connect : Math.min(connect, connectCb);
            for (String e : List.of("data", "text", "end", "finish", "drain")) {
                int i = first(ev, e);
                if (i >= 0 && (connected < 0 || i < connected)) {
                    out.add(who + e + " before CONNECT");
                }
            }
            int ready = first(ev, "ready");
            if (ready >= 0 && connect >= 0 && ready != connect + 1) {
                out.add(who + "READY does not follow CONNECT");
            } else if (ready >= 0 && connect < 0 && (connectCb < 0 || ready < connectCb)) {
                out.add(who + "READY without CONNECT before it");
            }
            if (count(ev, "connect-cb") > 1 || (p.connectInTime && connect >= 0 && connectCb < 0)) {
                out.add(who + "the listener passed to connect() ran " + count(ev, "connect-cb")
                        + " times, the recorder heard CONNECT " + count(ev, "connect") + " times");
            }
            // lookup and connectionAttempt once each (one address), before everything else of the connection;
            // connectionAttemptFailed only for a connection that never came.
            int settled = firstOf(ev, List.of("connect", "ready", "error", "close", "end", "finish", "data", "text"));
            for (String e : List.of("lookup", "attempt", "attempt-failed")) {
                if (count(ev, e) > 1) {
                    out.add(who + e + " emitted " + count(ev, e) + " times");
                }
                int i = first(ev, e);
                if (i >= 0 && settled >= 0 && i > settled) {
                    out.add(who + e + " after " + ev.get(settled));
                }
            }
            if (first(ev, "attempt-failed") >= 0 && (connected >= 0 || first(ev, "attempt") < 0)) {
                out.add(who + "connectionAttemptFailed " + (connected >= 0 ? "on a connection that came" : "without an attempt"));
            }
            if (p.config.mode() == ReadMode.QUIET) {
                quiet(p, ev, out);
            }
        } else {
            if (ev.isEmpty() || !ev.get(0).equals("connection")) {
                out.add(who + "events before the CONNECTION listener ran");
            }
            if (first(ev, "connect") >= 0 || first(ev, "ready") >= 0) {
                out.add(who + "an accepted socket emitted CONNECT or READY");
            }
            if (p.connectionsAtClose < 0 || p.connectionsAtClose > othersOpen) {
                out.add(who + "server.connections() was " + p.connectionsAtClose + " inside its CLOSE listener, with "
                        + othersOpen + " other connections that may be open");
            }
        }
        // A socket that closed cleanly, and that the test did not destroy, closed because both directions
        // ended: its END and FINISH came (a client's after its CONNECT), even if its recorder was attached late.
        if (close >= 0 && ev.get(close).equals("close:false") && !p.violated) {
            List<String> needed = new ArrayList<>(List.of("end", "finish"));
            if (p.side == Side.C && first(ev, "connect") < 0 && first(ev, "connect-cb") < 0) {
                needed.add("connect");
            }
            needed.removeIf(ev::contains);
            if (!needed.isEmpty()) {
                out.add(who + "CLOSE(false) with no destroy of its own, but no " + needed);
            }
        }
        // DRAIN only after a write returned false (Writer). Writes by a pipe or an output stream return
        // their answer to loomnet, not to the test, so those sockets are not counted; end(data) hides its
        // write's answer, so each may account for one DRAIN.
        ReadMode mode = p.config.mode();
        long drains = count(ev, "drain");
        if (mode.writtenByOps() && drains > p.falseReturns.get() + p.endDataOps.get()) {
            out.add(who + drains + " DRAIN events but only " + p.falseReturns.get() + " writes returned false");
        }
        if (!p.timeoutSet && count(ev, "timeout") > 0) {
            out.add(who + "TIMEOUT without a timeout set");
        }
        // A pipe ends its destination once, on the source's END, and writes nothing after that.
        if (p.recorderEnds.get() > 1) {
            out.add(who + "the pipe ended its destination " + p.recorderEnds.get() + " times");
        }
        if (p.recorderWritesAfterEnd.get() > 0) {
            out.add(who + "the pipe wrote to its destination after ending it");
        }
        if (p.recorderEnds.get() > 0) {
            int pipeEnd = p.log.indexOf("note:pipe-end");
            int srcEnd = p.log.indexOf("end");
            if (srcEnd < 0 || srcEnd > pipeEnd) {
                out.add(who + "the pipe ended its destination without the source's END before it");
            }
        }
    }

    /**
     * A QUIET client reads nothing until the finale gives it a reader (only if its server may write): no
     * {@code DATA} or {@code TEXT} before that, and with a silent server nothing at all. That it closed at all
     * shows it saw the server's FIN or reset with nobody reading.
     */
    private static void quiet(Peer p, List<String> ev, List<String> out) {
        String who = p.side + ": ";
        int reader = p.log.indexOf("note:late-reader");
        int data = p.log.stream().filter(e -> is(e, "data") || is(e, "text")).findFirst().map(p.log::indexOf)
                .orElse(-1);
        if (data >= 0 && (reader < 0 || data < reader)) {
            out.add(who + "a quiet client got " + p.log.get(data) + " before anybody read it");
        }
        if (reader < 0 && p.bytesRead() != 0) {
            out.add(who + "a quiet client of a silent server read " + p.bytesRead() + " bytes");
        }
    }

    /**
     * The error of a write made once the socket's own end finished (FINISH heard), by Node's rules: a write
     * after end fails with {@code ERR_STREAM_WRITE_AFTER_END}, once the peer ended too on a socket without
     * allowHalfOpen with {@code EPIPE} (writeAfterFIN), after the socket closed with {@code ERR_STREAM_DESTROYED}.
     * The recorder may hear those events late (replays), never early, so what it had heard did happen.
     */
    private static @Nullable String afterEndError(Peer p, Peer.Cb cb) {
        if (cb.write < 0 || !cb.issuedAfterFinish) {
            return null;
        }
        Throwable e = cb.error.get();
        String code = e == null ? "null" : Peer.code(e);
        List<String> allowed;
        if (cb.issuedAfterClose) {
            allowed = List.of(NetException.ERR_STREAM_DESTROYED);
        } else if (cb.issuedAfterEnd && !p.config.allowHalfOpen()) {
            allowed = List.of(NetException.EPIPE, NetException.ERR_STREAM_DESTROYED);
        } else {
            allowed = List.of(NetException.ERR_STREAM_WRITE_AFTER_END, NetException.EPIPE,
                    NetException.ERR_STREAM_DESTROYED);
        }
        if (allowed.contains(code) && !(code.equals(NetException.EPIPE) && p.config.allowHalfOpen())) {
            return null;
        }
        return "callback " + cb.label + " of a write made after FINISH" + (cb.issuedAfterEnd ? " and END" : "")
                + (cb.issuedAfterClose ? " and CLOSE" : "") + " got " + code + ", not one of " + allowed;
    }

    private static void callbacks(Peer p, List<String> out) {
        String who = p.side + ": ";
        Peer.Cb firstError = null;
        Peer.Cb lastNull = null;
        for (Peer.Cb cb : p.callbacks) {                  // in the order they were made
            int calls = cb.calls.get();
            if (calls != 1) {
                out.add(who + "callback " + cb.label + " called " + calls + " times");
                continue;
            }
            String afterEnd = afterEndError(p, cb);
            if (afterEnd != null) {
                out.add(who + afterEnd);
            }
            Throwable e = cb.error.get();
            if (e != null && !(e instanceof NetException) && p.ownErrors.stream().noneMatch(own -> own == e)) {
                out.add(who + "callback " + cb.label + " got " + e);
            }
            if (cb.issuedWhileOpen && cb.afterClose) {
                // Taken while the socket was open, so destroy's failAll or an earlier completion had it: it runs
                // before CLOSE, the socket's last word (ARCHITECTURE.md, invariants).
                out.add(who + "callback " + cb.label + " (given while open) ran after CLOSE with "
                        + (e == null ? "null" : Peer.code(e)));
            }
            if (cb.write < 0) {
                // a recorder attached late may hear FINISH as a replay after the callback ran: it must come, though
                if (e == null && !cb.afterFinish && !(p.late && events(p).contains("finish"))) {
                    out.add(who + "end callback " + cb.label + " succeeded before FINISH");
                }
                continue;
            }
            // Write callbacks: successes in write order, and no success after an earlier write failed.
            if (e == null) {
                if (firstError != null) {
                    out.add(who + "callback " + cb.label + " succeeded after " + firstError.label + " failed");
                }
                if (lastNull != null && lastNull.rank > cb.rank) {
                    out.add(who + "callback " + cb.label + " succeeded before " + lastNull.label);
                }
                lastNull = cb;
            } else if (firstError == null) {
                firstError = cb;
            }
        }
    }

    /** What {@code writer} wrote against what {@code reader} received. */
    private static void bytes(Peer writer, Peer reader, List<String> out) {
        String dir = writer.side + "->" + reader.side + ": ";
        byte[] written = sent(writer, reader);
        long lastSent = writer.callbacks.stream()
                .filter(cb -> cb.write > 0 && cb.calls.get() > 0 && cb.error.get() == null)
                .mapToLong(cb -> cb.endOffset).max().orElse(0);
        boolean readerEnded = events(reader).contains("end");
        long got;
        if (!reader.config.mode().recordsBytes()) {
            got = reader.bytesRead();                     // what an echo or a TEXT-only reader read; not recorded
            if (got > written.length) {
                out.add(dir + reader.side + " read " + got + " bytes, more than the " + written.length + " written");
            }
        } else {
            byte[] received = reader.receivedBytes();
            got = received.length;
            int n = Math.min(received.length, written.length);
            int mismatch = Arrays.mismatch(received, 0, n, written, 0, n);
            if (received.length > written.length) {
                out.add(dir + "received " + received.length + " bytes, more than the " + written.length + " written");
            } else if (mismatch >= 0) {
                out.add(dir + "received bytes differ from the written ones at offset " + mismatch);
            }
            // bytesRead counts what was read; everything read is delivered before END (a chunk held while
            // paused can be lost only when the socket is destroyed). The input stream counts exactly.
            long read = reader.bytesRead();
            if ((readerEnded || reader.config.mode() == ReadMode.STREAM) ? read != got : read < got) {
                out.add(dir + reader.side + ".bytesRead() is " + read + " but " + got + " bytes were delivered"
                        + (readerEnded ? " before END" : ""));
            }
        }
        if (writer.bytesWritten() < got) {
            out.add(dir + writer.side + ".bytesWritten() is " + writer.bytesWritten() + " but " + reader.side
                    + " received " + got);
        }
        if (writer.config.mode() != ReadMode.ECHO && writer.bytesWritten() > written.length) {
            out.add(dir + writer.side + ".bytesWritten() is " + writer.bytesWritten() + " but only " + written.length
                    + " bytes were given to write");
        }
        // A callback with null means its bytes reached the kernel, ahead of any FIN: a reader that saw END got them.
        if (readerEnded && got < lastSent) {
            out.add(dir + "write callbacks succeeded for " + lastSent + " bytes but " + reader.side
                    + " ended after " + got);
        }
    }

    /** The bytes {@code p} received: those it recorded, or its {@code bytesRead()} if it records none (TEXT only). */
    private static long received(Peer p) {
        return p.config.mode().recordsBytes() ? p.receivedBytes().length : p.bytesRead();
    }

    /** What {@code writer} sent: an echo writes back what it read (what C gets from an ECHO V is what C wrote). */
    private static byte[] sent(Peer writer, Peer reader) {
        return writer.config.mode() == ReadMode.ECHO ? reader.writtenBytes() : writer.writtenBytes();
    }

    /**
     * The text a TEXT listener got is the decoding of the bytes its socket received, in order, with the
     * socket's encoding: split characters whole, the tail flushed (an incomplete one as U+FFFD) just before END.
     * Without END and with the socket destroyed by the test or an error, a chunk's TEXT may be cut off (the
     * socket closed between its DATA and TEXT), so the text need only be a prefix of that decoding. A TEXT-only
     * reader has no bytes of its own to compare with: what it read is the first {@code bytesRead()} bytes
     * the writer sent, and it is checked against a prefix of their decoding unless it saw END.
     */
    private static void text(Peer writer, Peer reader, List<String> out) {
        if (!reader.config.hasText() || reader.textCarried) {
            return;
        }
        byte[] bytes;
        if (reader.config.mode().recordsBytes()) {
            bytes = reader.receivedBytes();
        } else {
            byte[] sent = sent(writer, reader);
            bytes = Arrays.copyOf(sent, (int) Math.min(reader.bytesRead(), sent.length));
        }
        boolean ended = events(reader).contains("end");
        Charset charset = Scenario.CHARSETS.get(reader.config.charset());
        boolean exact = ended || (reader.config.mode().recordsBytes() && !reader.violated && reader.errors.isEmpty());
        // Not exact, the tail may have been flushed: a listener's throw can stop the END that follows it
        String expected = decode(bytes, charset, !exact || ended);
        String got = reader.receivedText();
        if (exact ? !got.equals(expected) : !expected.startsWith(got)) {
            int n = Math.min(got.length(), expected.length());
            int at = 0;
            while (at < n && got.charAt(at) == expected.charAt(at)) {
                at++;
            }
            out.add(writer.side + "->" + reader.side + ": TEXT gave " + got.length() + " chars, the " + charset
                    + " decoding of the " + bytes.length + " bytes received is " + expected.length() + " chars"
                    + (exact ? "" : " (a prefix was enough)") + "; they differ at char " + at);
        }
    }

    /** {@code bytes} decoded in one go as a streaming decoder would: the tail only if {@code flush}. */
    static String decode(byte[] bytes, Charset charset, boolean flush) {
        StringDecoder decoder = new StringDecoder(charset);
        String text = decoder.write(bytes);
        return flush ? text + decoder.end() : text;
    }

    /**
     * When nothing closed the pair early (no destroy, reset, destroySoon or throwing listener, no ERROR on
     * either side) and both closed cleanly, every byte written before a socket's end arrived, both saw END and
     * FINISH, and every callback succeeded.
     */
    private static void exact(Peer client, Peer server, List<String> out) {
        for (Peer p : List.of(client, server)) {
            List<String> ev = events(p);
            if (p.violated || !p.errors.isEmpty() || !ev.contains("close:false")) {
                return;
            }
        }
        for (Peer p : List.of(client, server)) {
            List<String> ev = events(p);
            if (!ev.contains("end") || !ev.contains("finish")) {
                out.add(p.side + ": closed cleanly without both END and FINISH");
            }
            // A write made after the end was asked for may be refused (after CLOSE it is, silently, with
            // ERR_STREAM_DESTROYED); anything written before it, and every end callback, must succeed, except
            // an end(cb) made once the socket had finished (maybe by the automatic end), which gets Node's
            // ERR_STREAM_ALREADY_FINISHED, checked in alreadyFinished.
            long mark = p.endMark();
            p.callbacks.stream().filter(cb -> cb.error.get() != null && (cb.write < 0 || cb.endOffset <= mark))
                    .filter(cb -> !alreadyFinished(p, cb))
                    .forEach(cb -> out.add(p.side + ": callback " + cb.label + " failed in a clean run: "
                            + Peer.code(Objects.requireNonNull(cb.error.get()))));
        }
        for (Peer writer : List.of(client, server)) {
            Peer reader = writer.side == Side.C ? server : client;
            if (writer.config.mode() == ReadMode.ECHO) {
                continue;                                 // covered by C's own bytes coming back, below
            }
            long mark = writer.endMark();
            long got = received(reader);
            if (mark < 0) {
                out.add(writer.side + ": closed cleanly but the test never saw it end");
            } else if (got < mark) {
                out.add(writer.side + "->" + reader.side + ": only " + got + " of the " + mark
                        + " bytes written before end arrived");
            }
            if (reader.config.mode() == ReadMode.ECHO && received(client) < mark) {
                out.add("V->C: the echo returned " + received(client) + " of the " + mark
                        + " bytes C wrote before end");
            }
        }
    }
}
