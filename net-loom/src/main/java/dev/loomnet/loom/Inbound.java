package dev.loomnet.loom;

import dev.loomnet.net.DataListener;
import dev.loomnet.net.OnRead;
import dev.loomnet.net.Socket;
import dev.loomnet.net.StringDecoder;
import dev.loomnet.net.Writable;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A socket's readable side, across its connections: whether data is wanted ({@link Flow}, Node's
 * {@code readableFlowing}, which a reconnect keeps), where the connection thread parks while it is not, the
 * pipes that consume it, and the emission of what was read as {@code DATA} and {@code TEXT}.
 *
 * <p>Guarded by the socket's lock; {@link #flow} is also read without it (volatile). The text decoder is
 * touched only by the thread emitting the socket's events.
 */
final class Inbound {

    /** Node's {@code readableFlowing}: null until data is wanted, then true or false. */
    enum Flow { UNSET, FLOWING, PAUSED }

    /** The connection thread's part in waiting for the flow. */
    private enum Waiter {
        NONE,
        /** Parked in {@link #awaitFlowing}. */
        WAITING,
        /** Parked, and handed the socket's event queue to run ({@link #takeRun}). */
        RUN_HANDED
    }

    private final LoomSocket socket;
    private final ReentrantLock lock;
    private volatile Flow flow;
    private Waiter waiter = Waiter.NONE;
    /**
     * Signalled on every change of the flow and of the socket's phase, and when a run is handed over. Created by
     * the first thread that waits: a connection whose data listener was attached before it read never waits,
     * and an idle connection should not carry it.
     */
    private @Nullable Condition changed;
    /** Pipes from this socket; created by the first {@link #pipe}. */
    private volatile @Nullable List<Pipe> pipes;
    private volatile Charset encoding = StandardCharsets.UTF_8;
    /** A {@code TEXT} listener was ever added: only then is decoding worth a look on each chunk. */
    private volatile boolean textWanted;
    private @Nullable StringDecoder decoder;

    Inbound(LoomSocket socket, ReentrantLock lock, boolean onread) {
        this.socket = socket;
        this.lock = lock;
        this.flow = onread ? Flow.FLOWING : Flow.UNSET;   // Node reads into onread's buffer once connected
    }

    Flow flow() {
        return flow;
    }

    boolean flowing() {
        return flow == Flow.FLOWING;
    }

    /** Sets the flow and wakes the connection thread ({@code pause()}, {@code resume()}, a listener). */
    void setFlow(Flow value) {
        lock.lock();
        try {
            flow = value;
            signal();
        } finally {
            lock.unlock();
        }
    }

    /** A {@code DATA} or {@code TEXT} listener starts the flow, as in Node. */
    void listenerAdded(dev.loomnet.net.Event<?, ?> event) {
        if (event == Socket.TEXT) {
            textWanted = true;
        }
        if ((event == Socket.DATA || event == Socket.TEXT) && flow == Flow.UNSET) {
            setFlow(Flow.FLOWING);
        }
    }

    /** Under the lock: wakes the threads waiting for a change of flow or phase, if any ever waited. */
    void signal() {
        Condition c = changed;
        if (c != null) {
            c.signalAll();
        }
    }

    private Condition changed() {
        Condition c = changed;
        if (c == null) {
            c = lock.newCondition();
            changed = c;
        }
        return c;
    }

    /**
     * Parks the connection thread of {@code link} until data is wanted; false once that connection is destroyed
     * or no longer the socket's (a reconnect). While parked it runs the socket's event queue when handed it.
     */
    boolean awaitFlowing(Link link) {
        if (flow == Flow.FLOWING) {
            return current(link);
        }
        lock.lock();
        try {
            for (;;) {
                if (waiter == Waiter.RUN_HANDED) {
                    // An event was posted while this thread waited: run the queue here rather than have a
                    // virtual thread started for it (see EventQueue.Owner.takeRun).
                    waiter = Waiter.NONE;
                    lock.unlock();
                    try {
                        socket.events.runHandedOver();
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                if (flow == Flow.FLOWING || !current(link)) {
                    return current(link);
                }
                waiter = Waiter.WAITING;
                try {
                    changed().awaitUninterruptibly();
                } finally {
                    if (waiter == Waiter.WAITING) {
                        waiter = Waiter.NONE;
                    }
                }
            }
        } finally {
            waiter = Waiter.NONE;
            lock.unlock();
        }
    }

    /** Whether {@code link} is still this socket's live connection, and not taken over by TLS. */
    private boolean current(Link link) {
        return !link.life.phase().destroyed() && socket.serves(link) && link.takeOver() == null;
    }

    /** {@link EventQueue.Owner#takeRun()}: the parked connection thread runs the queue. */
    boolean takeRun() {
        lock.lock();
        try {
            if (waiter != Waiter.WAITING) {
                return false;
            }
            waiter = Waiter.RUN_HANDED;
            signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Parks until {@code link} is no longer connecting (its {@code connect} was emitted); true if open. */
    boolean awaitConnected(Link link) {
        lock.lock();
        try {
            while (link.life.phase().connecting()) {
                changed().awaitUninterruptibly();
            }
            return link.life.phase() == Lifecycle.Phase.OPEN;
        } finally {
            lock.unlock();
        }
    }

    // -------------------------------------------------------------------------------------------------------
    // emitting what was read

    /** {@code n} bytes were read on {@code l} (under the read lock). */
    void readBytes(Link l, int n) {
        l.addBytesRead(n);
        socket.touched();
    }

    /**
     * Whether the read loop of {@code l} should read ahead: connected, nobody reads yet (no {@code DATA} or
     * {@code TEXT} listener, no pipe, not resumed, not paused, no input stream), nothing read ahead waiting.
     * Node starts reading when a socket connects, so a peer's FIN or reset is seen even on a socket nobody
     * reads: a client that only writes learns that the server went away, a server that only writes closes. A
     * client's {@code END} may come before the code that connected it added its listener: that code's listeners
     * get it anyway, as the events of a socket connected from a plain thread are kept ({@link KeptEvents}).
     */
    boolean wantsReadAhead(Link l) {
        return flow == Flow.UNSET && !socket.hasInputStream() && l.life.phase() == Lifecycle.Phase.OPEN
                && l.readAheadEmpty() && l.takeOver() == null;
    }

    /**
     * The peer's FIN was read after all data: emit {@code END}, end our side unless half-open, maybe close. A
     * listener that throws here leaves the rest undone: the throw destroys the socket with its error, which a
     * clean close made first would have turned into a lost {@code ERROR}.
     */
    void emitEnd(Link l) throws Exception {
        if (!socket.serves(l) || !l.life.readEnd()) {
            return;                                       // a reconnect came meanwhile, or emitted already
        }
        emitTextTail();
        socket.emitLifecycle(Socket.END, dev.loomnet.net.Listener::handle);
        if (!socket.options.allowHalfOpen() && !l.life.phase().destroyed()) {
            socket.end();
        }
        Closer.closeIfDone(socket, l);
    }


    /**
     * Emits one chunk as {@code DATA}, then {@code TEXT}; returns false, emitting nothing, if the chunk is to be
     * held until the socket flows again, as Node buffers what arrives while paused. The read loop checked the
     * flow before this event, but a {@code pause()} or {@code unpipe()} from another thread can come between: a
     * socket paused by now holds the chunk, and so does one whose {@code DATA} listeners changed under the emit
     * (the last pipe stopped, which {@link #unpipe} does only after pausing, or a listener was added meanwhile),
     * which would otherwise have sent the chunk to nobody.
     */
    boolean emitData(Link link, byte[] chunk) throws Exception {
        if (link.life.phase().destroyed()) {
            return true;
        }
        if (flow != Flow.FLOWING) {
            return false;
        }
        if (!socket.emit(Socket.DATA, DataListener::onData, chunk) && (flow != Flow.FLOWING
                || socket.hasListeners(Socket.DATA))) {
            return false;
        }
        if (textWanted && socket.hasListeners(Socket.TEXT) && !link.life.phase().destroyed()) {
            String text = decoder().write(chunk);
            if (!text.isEmpty()) {
                socket.emit(Socket.TEXT, l -> l.onText(text));
            }
        }
        return true;
    }

    /**
     * Emits the bytes of {@code view} (the read loop's buffer, reused after this returns) to the sole pipe
     * without a chunk of their own if a pipe is still the only consumer (checked again here, inside the event:
     * listeners may have changed since the read), else as an ordinary chunk.
     *
     * @return null, or the bytes as a chunk of their own to emit again once the socket flows
     */
    byte @Nullable [] emitBorrowed(Link link, ByteBuffer view) throws Exception {
        if (link.life.phase().destroyed()) {
            return null;
        }
        Pipe pipe = soloPipe();
        if (pipe == null) {
            byte[] chunk = Bytes.takeRemaining(view);     // listeners changed since the read: a chunk they own
            return emitData(link, chunk) ? null : chunk;
        }
        pipe.pushBorrowed(view);
        return null;
    }

    /**
     * Hands one read to the {@code onread} callback ({@code view}'s array holds {@code view.position()} new
     * bytes from index 0); a {@code false} from it pauses the socket, as in Node.
     */
    @SuppressWarnings("ByteBufferBackingArray" /* the read loop's buffers are heap buffers at offset 0 */)
    void emitOnRead(Link link, OnRead onread, ByteBuffer view) throws Exception {
        if (!link.life.phase().destroyed() && !onread.callback().onRead(view.position(), view.array())) {
            setFlow(Flow.PAUSED);
        }
    }

    /** Before {@code END}: what the decoder held back (an incomplete character becomes U+FFFD). */
    void emitTextTail() throws Exception {
        StringDecoder d = decoder;
        if (d != null && socket.hasListeners(Socket.TEXT)) {
            String tail = d.end();
            if (!tail.isEmpty()) {
                socket.emit(Socket.TEXT, l -> l.onText(tail));
            }
        }
    }

    private StringDecoder decoder() {
        StringDecoder d = decoder;
        if (d == null || !d.charset().equals(encoding)) {
            d = new StringDecoder(encoding);
            decoder = d;
        }
        return d;
    }

    Charset encoding() {
        return encoding;
    }

    void setEncoding(Charset charset) {
        encoding = charset;
    }

    // -------------------------------------------------------------------------------------------------------
    // pipes

    /**
     * The pipe that is this socket's only consumer of data, or null: exactly one {@code DATA} listener, which is
     * that pipe's, and no {@code TEXT} listener ever. The read loop then lends the pipe its read buffer instead
     * of making a fresh chunk per read (nobody else could see the chunk).
     */
    @Nullable Pipe soloPipe() {
        List<Pipe> list = pipes;
        if (list == null || list.size() != 1 || textWanted) {
            return null;
        }
        Pipe pipe = list.get(0);
        return socket.listeners.sole(Socket.DATA) == pipe ? pipe : null;
    }

    void pipe(Pipe pipe) {
        lock.lock();
        try {
            List<Pipe> list = pipes;
            pipes = list == null ? List.of(pipe) : Stream.concat(list.stream(), Stream.of(pipe)).toList();
        } finally {
            lock.unlock();
        }
        pipe.start();
    }

    /**
     * A pipe's back-pressure: pauses ({@code on} false: its destination's {@code write} returned false) or resumes
     * (it drained) this socket, unless that pipe was unpiped meanwhile; returns whether it did. Decided under the
     * lock under which {@link #unpipe} removes the pipe (and then pauses): from another thread, an unpipe could
     * otherwise fall between the pipe's check and its pause or resume (Node removes the pipe's listeners in
     * unpipe, on its one thread).
     */
    boolean flowForPipe(Pipe pipe, boolean on) {
        lock.lock();
        try {
            List<Pipe> list = pipes;
            if (list == null || !list.contains(pipe)) {
                return false;
            }
            flow = on ? Flow.FLOWING : Flow.PAUSED;
            signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Node's {@code unpipe()}: every pipe. */
    void unpipeAll() {
        List<Pipe> list = pipes;
        if (list != null) {
            for (Pipe p : list) {
                unpipe(p.destination);
            }
        }
    }

    /**
     * Node's {@code unpipe(destination)}: nothing if it is not piped there; otherwise the pipe stops, and if it
     * was the last one the socket pauses, whatever listeners it has, so that whoever reads next (a listener
     * added then, with {@code resume()}) misses no chunk. The pause comes first: a chunk whose event no longer
     * finds the pipe then finds the socket paused and is held ({@link #emitData}).
     */
    @SuppressWarnings("ReferenceEquality" /* Node's unpipe matches the very destination object */)
    void unpipe(Writable destination) {
        List<Pipe> removed;
        boolean last;
        lock.lock();
        try {
            List<Pipe> list = pipes;
            if (list == null) {
                return;
            }
            removed = list.stream().filter(p -> p.destination == destination).toList();
            List<Pipe> left = list.stream().filter(p -> p.destination != destination).toList();
            pipes = left;
            last = left.isEmpty();
        } finally {
            lock.unlock();
        }
        if (removed.isEmpty()) {
            return;
        }
        if (last) {
            setFlow(Flow.PAUSED);
        }
        removed.forEach(Pipe::stop);
    }
}
