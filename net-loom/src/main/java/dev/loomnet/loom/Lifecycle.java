package dev.loomnet.loom;

import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One connection's state machine: where the connection is ({@link Phase}), how far each half got
 * ({@link ReadHalf}, {@link WriteHalf}), and Node's rules that tie them together (a socket closes itself once
 * both halves ended; a destroy decides the close event). Every transition is a method here, made under the
 * socket's lock; one that has work to do afterwards (close the channel, post events) returns it, for the caller
 * to run after unlocking. No other class changes these fields.
 *
 * <pre>
 *   NEW ──connect──▶ CONNECTING ──handshake──▶ ESTABLISHED ──CONNECT──▶ OPEN
 *    │                   │                          │                   │    (accepted, adopted: OPEN at once)
 *    └───────────────────┴────────── destroy ───────┴───────────────────┘
 *            by loomnet (a failed connect, read or write) ▼        ▼ by the application
 *                                          FAILED ──destroy()──▶ DESTROYED
 *                                             └────── close task ─────┴──▶ CLOSING ──CLOSE──▶ CLOSED
 * </pre>
 */
final class Lifecycle {

    /** Where the connection is. */
    enum Phase {
        /** A socket never connected: writes wait (corked) or fail. */
        NEW,
        /** {@code connect()} was called: looking up, connecting. Node's {@code connecting}. */
        CONNECTING,
        /** The handshake is done but {@code CONNECT} not emitted yet: still {@code connecting} for Node. */
        ESTABLISHED,
        /** Connected and announced (or accepted, or adopted). */
        OPEN,
        /**
         * Destroyed by loomnet itself (a failed connect, read or write); the close task has not started, so an
         * application's {@code destroy()} still decides the close: in Node the failure would reach the socket on
         * a later tick than the application's call.
         */
        FAILED,
        /** Destroyed; the close is decided and its task pending. */
        DESTROYED,
        /** The close task runs: callbacks, then {@code ERROR}. */
        CLOSING,
        /** {@code CLOSE} is being or was emitted: the socket may connect again. */
        CLOSED;

        boolean destroyed() {
            return compareTo(FAILED) >= 0;
        }

        boolean connecting() {
            return this == CONNECTING || this == ESTABLISHED;
        }
    }

    /** The readable half. */
    enum ReadHalf { OPEN, ENDED }

    /** The writable half. */
    enum WriteHalf {
        OPEN,
        /** {@code end()} was called. */
        ENDED,
        /** The FIN left (or there was no connection to end) and {@code FINISH} was handled. */
        FINISHED
    }

    /** What a destroy leaves to do after unlocking: close the link and post the close. */
    record Close(boolean beforeConnect, boolean wasNew) {
    }

    private final ReentrantLock lock;
    private volatile Phase phase;
    private volatile ReadHalf read = ReadHalf.OPEN;
    private volatile WriteHalf write = WriteHalf.OPEN;
    /** {@code FINISH} was emitted: once per connection, even when {@code end()} came before {@code connect()}. */
    private volatile boolean finishEmitted;
    /** {@code destroySoon()}: destroy once finished (Node registers a once-'finish' destroy). */
    private volatile boolean destroyWhenFinished;
    /** {@code resetAndDestroy()} while connecting: reset once connected. */
    private volatile boolean resetWhenConnected;
    /** {@code resetAndDestroy()} reset the connection (how it ended, for the record). */
    private volatile boolean reset;
    /** The error the close emits; fixed once {@link Phase#CLOSING}. */
    private volatile @Nullable Throwable closeError;

    Lifecycle(ReentrantLock lock, Phase start) {
        this.lock = lock;
        this.phase = start;
    }

    Phase phase() {
        return phase;
    }

    boolean readEnded() {
        return read == ReadHalf.ENDED;
    }

    /** {@code end()} was called on this connection (finished or not). */
    boolean writeEnded() {
        return write != WriteHalf.OPEN;
    }

    boolean finished() {
        return write == WriteHalf.FINISHED;
    }

    boolean finishEmitted() {
        return finishEmitted;
    }

    /** The error this connection was destroyed with, once destroyed; null before, or for a plain destroy. */
    @Nullable Throwable destroyError() {
        return phase.destroyed() ? closeError : null;
    }

    boolean resetRequested() {
        return resetWhenConnected;
    }

    /** Whether the connection was closed with a reset by {@code resetAndDestroy()}. */
    boolean wasReset() {
        return reset;
    }

    // -------------------------------------------------------------------------------------------------------
    // transitions; each under the lock

    /** NEW → CONNECTING; a FIN asked for before has a connection to go to now: the half is ended again. */
    void connect() {
        assert lock.isHeldByCurrentThread();
        phase = Phase.CONNECTING;
        if (write == WriteHalf.FINISHED) {
            write = WriteHalf.ENDED;                      // end() before connect(): FINISH came, the FIN follows
        }
    }

    /** The handshake is done (client), or the connection accepted or adopted; false once destroyed. */
    boolean established(boolean announced) {
        assert lock.isHeldByCurrentThread();
        if (phase.destroyed()) {
            return false;
        }
        phase = announced ? Phase.OPEN : Phase.ESTABLISHED;
        return true;
    }

    /** ESTABLISHED → OPEN, just before {@code CONNECT}; false if destroyed meanwhile (no {@code CONNECT}, as Node). */
    boolean announce() {
        assert lock.isHeldByCurrentThread();
        if (phase != Phase.ESTABLISHED) {
            return false;
        }
        phase = Phase.OPEN;
        return true;
    }

    /**
     * Destroys the connection: by the application ({@code byUser}) or by loomnet itself. Returns what is left
     * to do, or null when it was destroyed already. An application's destroy made after loomnet's but before
     * the close task started decides the close's error (see {@link Phase#FAILED}); a second one is ignored, as
     * in Node.
     */
    @Nullable Close destroy(@Nullable Throwable error, boolean byUser) {
        assert lock.isHeldByCurrentThread();
        Phase was = phase;
        if (was == Phase.FAILED && byUser) {
            closeError = error;
            phase = Phase.DESTROYED;
            return null;
        }
        if (was.destroyed()) {
            return null;
        }
        closeError = error;
        phase = byUser ? Phase.DESTROYED : Phase.FAILED;
        // CONNECT not emitted yet counts as before the connection even when the handshake is done: the writes
        // made meanwhile have not left
        return new Close(was != Phase.OPEN, was == Phase.NEW);
    }

    /** The close task starts: the error is fixed from now on. */
    @Nullable Throwable closing() {
        assert lock.isHeldByCurrentThread();
        phase = Phase.CLOSING;
        return closeError;
    }

    /** {@code CLOSE} is about to be emitted: from now on the socket may connect again. */
    void closed() {
        phase = Phase.CLOSED;
    }

    /** {@code END} is being emitted; false if it was already, or the connection is destroyed. */
    boolean readEnd() {
        if (phase.destroyed() || read == ReadHalf.ENDED) {
            return false;
        }
        read = ReadHalf.ENDED;
        return true;
    }

    /**
     * {@code end()}: OPEN → ENDED. Returns the phase it happened in, or null when the half had ended already or
     * the connection is destroyed.
     */
    @Nullable Phase endWrite() {
        assert lock.isHeldByCurrentThread();
        if (phase.destroyed() || write != WriteHalf.OPEN) {
            return null;
        }
        write = WriteHalf.ENDED;
        return phase;
    }

    /**
     * The FIN left: the half is finished. Returns whether {@code FINISH} is still to be emitted (once per
     * connection), or null when the connection was destroyed meanwhile.
     */
    @Nullable Boolean finish() {
        assert lock.isHeldByCurrentThread();
        if (phase.destroyed()) {
            return null;
        }
        write = WriteHalf.FINISHED;
        return markFinishEmitted();
    }

    /** {@code end()} before {@code connect()}: there is nothing to shut down, so it finishes at once. */
    boolean finishUnconnected() {
        assert lock.isHeldByCurrentThread();
        if (phase == Phase.NEW) {
            write = WriteHalf.FINISHED;                   // unless connect() came first: then the real FIN counts
        }
        return markFinishEmitted();
    }

    private boolean markFinishEmitted() {
        boolean first = !finishEmitted;
        finishEmitted = true;
        return first;
    }

    /** {@code destroySoon()}: destroy once finished. */
    void destroyWhenFinished() {
        destroyWhenFinished = true;
    }

    /** {@code resetAndDestroy()} on a connection: it is reset, then destroyed. */
    void reset() {
        reset = true;
    }

    /** {@code resetAndDestroy()} while connecting: reset once connected. */
    void resetWhenConnected() {
        resetWhenConnected = true;
    }

    /**
     * Node's close rule, after {@code END} or {@code FINISH}: the socket destroys itself once the peer's end was
     * emitted and our FIN left (the auto-destroy of a duplex stream), or once finished after
     * {@code destroySoon()}.
     */
    boolean closeNow() {
        boolean finished = write == WriteHalf.FINISHED;
        return !phase.destroyed() && finished && (read == ReadHalf.ENDED || destroyWhenFinished);
    }

    /** Node's {@code readyState} of a connection that is not connecting. */
    dev.loomnet.net.ReadyState readyState() {
        boolean r = !phase.destroyed() && read == ReadHalf.OPEN;
        boolean w = !phase.destroyed() && write == WriteHalf.OPEN;
        if (r && w) {
            return dev.loomnet.net.ReadyState.OPEN;
        }
        if (r) {
            return dev.loomnet.net.ReadyState.READ_ONLY;
        }
        return w ? dev.loomnet.net.ReadyState.WRITE_ONLY : dev.loomnet.net.ReadyState.CLOSED;
    }

    @Override
    public String toString() {
        return phase + " read " + read + " write " + write;
    }
}
