package dev.loomnet.tests.stress;

import dev.loomnet.net.OnRead;
import dev.loomnet.net.ReadyState;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.stress.Scenario.ReadMode;
import dev.loomnet.tests.stress.Scenario.Side;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The listeners that record what one socket emits into its {@link Peer}: the lifecycle events in the order
 * they came, with what only a listener can see wrong inside them, the {@code DATA} chunks and the decoded
 * {@code TEXT}, and for an ONREAD client Node's {@code onread} calls, checked as they come.
 */
final class PeerRecorder {

    private final Peer peer;
    /** {@code CONNECT} or {@code READY} reached the recorder. */
    private volatile boolean connectSeen;
    /** ONREAD: {@link Peer#resumes} when the callback last returned {@code false}, or -1. */
    private volatile int resumesAtFalse = -1;
    /** ONREAD: the array the buffer function handed out last. */
    private volatile byte @Nullable [] lastBuffer;
    private final AtomicInteger reads = new AtomicInteger();
    /** ONREAD: the callback returned false; the buffer function starts the resuming helper. */
    private volatile boolean resumeDue;

    PeerRecorder(Peer peer) {
        this.peer = peer;
    }

    /**
     * Attaches the recording listeners, first of all listeners: before the socket can emit anything (before
     * {@code connect}, or first thing in the connection listener), or, for a client of the late groups, after
     * {@code connect()} returned, when the lifecycle events it missed are replayed to them. {@code watchOnRead}:
     * on an onread socket, DATA and TEXT listeners that report any call (onread replaces both events).
     */
    void attach(Socket s, @Nullable Server server, boolean watchOnRead) {
        Peer p = peer;
        if (p.side == Side.V) {
            p.log.add("connection");
        } else {
            // In the order they are emitted, so that replays to recorders attached late come in that order too.
            p.on(s, Socket.LOOKUP, (error, address, family, host) -> p.log.add("lookup"));
            p.on(s, Socket.CONNECTION_ATTEMPT, (ip, port, family, error) -> p.log.add("attempt"));
            p.on(s, Socket.CONNECTION_ATTEMPT_FAILED, (ip, port, family, error) -> p.log.add("attempt-failed"));
        }
        p.on(s, Socket.CONNECT, () -> {
                    connectSeen = true;
                    p.log.add("connect");
                });
        p.on(s, Socket.READY, () -> {
                    connectSeen = true;              // CONNECT is not kept when only connect()'s listener heard it
                    p.log.add("ready");
                });
        p.on(s, Socket.END, () -> {
                    p.endSeen = true;
                    p.log.add("end");
                    if (s.readable()) {
                        p.anomalies.add("readable() is true inside END");
                    }
                    if (!s.allowHalfOpen()) {
                        p.markEnd();             // auto-end follows: later writes may fail
                    }
                });
        p.on(s, Socket.DRAIN, () -> p.log.add("drain"));
        p.on(s, Socket.FINISH, () -> {
                    p.log.add("finish");
                    p.finishSeen = true;
                    if (s.writable()) {
                        p.anomalies.add("writable() is true inside FINISH");
                    }
                });
        p.on(s, Socket.TIMEOUT, () -> p.log.add("timeout"));
        p.on(s, Socket.ERROR, e -> {
                    p.errors.add(e);
                    p.log.add("error:" + Peer.code(e));
                });
        p.on(s, Socket.CLOSE, hadError -> {
                    p.log.add("close:" + hadError);
                    if (!s.destroyed() || s.readyState() != ReadyState.CLOSED) {
                        p.anomalies.add("inside CLOSE destroyed()=" + s.destroyed() + " readyState()="
                                + s.readyState());
                    }
                    if (server != null) {
                        p.connectionsAtClose = server.connections();
                    }
                    p.closed.countDown();
                });
        if (p.config.mode() == ReadMode.EVENTS) {
            p.on(s, Socket.DATA, p::received);
        }
        if (p.config.hasText()) {
            s.setEncoding(Scenario.CHARSETS.get(p.config.charset()));
            p.on(s, Socket.TEXT, this::text);
        }
        if (p.config.mode() == ReadMode.ONREAD && watchOnRead) {
            // onread replaces both events: any call of these is an anomaly (and must not start anything)
            p.on(s, Socket.DATA, chunk -> p.anomalies.add("DATA emitted on an onread socket"));
            p.on(s, Socket.TEXT, t -> p.anomalies.add("TEXT emitted on an onread socket"));
        }
    }

    /** A TEXT chunk; in mode TEXT it also fires the DATA triggers. */
    private void text(String t) throws Exception {
        if (t.isEmpty()) {
            peer.anomalies.add("an empty TEXT chunk was delivered");
        }
        peer.recordText(t);
        peer.log.add("text:" + t.length());
        if (peer.config.mode() == ReadMode.TEXT) {
            peer.fireData();
        }
    }

    /** The listener passed to {@code connect}: records {@code connect-cb}, an event of its own. */
    void connectCallback() {
        peer.log.add("connect-cb");
    }

    /**
     * A QUIET client whose server may have written: the finale's reader, a {@code DATA} recorder added long
     * after the connection started (what was read ahead must come first, whole, and nothing twice).
     */
    void lateReader(Socket s) {
        peer.log.add("note:late-reader");
        peer.on(s, Socket.DATA, peer::received);
    }

    /**
     * Node's {@code onread} for an ONREAD client, recording into whichever peer {@code current} names (a
     * reconnected socket keeps its options, so one option serves every connection's peer).
     */
    static OnRead onRead(Scenario.SideConfig config, long seed, Supplier<Peer> current) {
        int size = config.onreadBuffer();
        byte[] fixed = size > 0 ? new byte[size] : null;
        SplittableRandom r = new SplittableRandom(seed);   // only the connection's thread asks for buffers
        // The buffer function runs after every read's callback, once a false from it has paused the socket:
        // the place to let the helper resume it (a resume made before that pause would be undone by it).
        return OnRead.of(() -> {
            Peer p = current.get();
            byte[] b = fixed != null ? fixed : new byte[1 + r.nextInt(-size)];
            p.recording.lastBuffer = b;
            if (p.recording.resumeDue) {
                p.recording.resumeDue = false;
                Socket s = p.socket();                   // a late client's may still be on its way from connect()
                p.helpers.add(Thread.ofVirtual().name("chaos-onread-resume").start(() -> p.resume(s)));
            }
            return b;
        }, (nread, b) -> current.get().recording.onRead(nread, b));
    }

    /** One onread call: record, check, fire the DATA triggers, and return {@code false} every n-th time. */
    private boolean onRead(int nread, byte[] buffer) throws Exception {
        if (buffer != lastBuffer) {
            peer.anomalies.add("the onread callback got an array the buffer function did not hand out last");
        }
        if (nread <= 0 || nread > buffer.length) {
            peer.anomalies.add("the onread callback got nread=" + nread + " for an array of " + buffer.length);
            return true;
        }
        int atFalse = resumesAtFalse;
        if (atFalse >= 0 && peer.resumes.get() == atFalse) {
            peer.anomalies.add("the onread callback ran again after it returned false, with no resume() since");
        }
        resumesAtFalse = -1;
        peer.record(buffer, 0, nread);
        // Attached late, the recorder may hear CONNECT (and what came before it) as replays after the first
        // reads: those are no events before CONNECT, so they are noted, not logged as data.
        peer.log.add(peer.late && !connectSeen ? "note:onread-before-the-replayed-connect:" + nread : "data:" + nread);
        peer.fireData();
        int every = peer.config.recorderFalseEvery();
        if (every == 0 || reads.incrementAndGet() % every != 0) {
            return true;
        }
        // A resume() counted already but still under way may land after this false's pause: no check then.
        int counted = peer.resumes.get();
        resumesAtFalse = peer.resuming.get() > 0 ? -1 : counted;
        resumeDue = true;                                 // a thread of our own resumes it, as an application would
        return false;
    }
}
