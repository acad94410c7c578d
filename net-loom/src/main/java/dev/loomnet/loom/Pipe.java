package dev.loomnet.loom;

import dev.loomnet.net.CloseListener;
import dev.loomnet.net.DataListener;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Writable;
import java.nio.ByteBuffer;

/**
 * One {@code source.pipe(destination)}: Node's {@code Readable.pipe}. Each chunk goes to the destination; a
 * {@code false} from its {@code write} pauses the source until the destination drains; the source's end ends
 * the destination (unless {@code end} is false); the source's close removes the pipe.
 *
 * <p>The pipe is itself the source's {@code DATA}, {@code END} ({@link #handle}) and {@code CLOSE} listener
 * rather than holding a lambda for each: a piped idle connection carries one object instead of four.
 */
final class Pipe implements DataListener, Listener, CloseListener {

    final LoomSocket source;
    final Writable destination;
    private final boolean end;
    private volatile boolean active = true;

    Pipe(LoomSocket source, Writable destination, boolean end) {
        this.source = source;
        this.destination = destination;
        this.end = end;
    }

    /** A chunk of the source: to the destination. */
    @Override
    public void onData(byte[] chunk) {
        written(destination.write(chunk));
    }

    /** The source's {@code END}: ends the destination unless piped with {@code end} false. */
    @Override
    public void handle() {
        if (active && end) {
            destination.end();
        }
    }

    /** The source's {@code CLOSE}: the pipe is over. */
    @Override
    public void onClose(boolean hadError) {
        stop();
    }

    /**
     * The {@code data} step for bytes the source lends for the duration of the call ({@link
     * Inbound#soloPipe}): a loomnet destination writes them inline or copies what it queues; any other
     * destination gets a copy.
     */
    void pushBorrowed(ByteBuffer view) {
        if (destination instanceof LoomSocket socket) {
            written(socket.writeBorrowed(view));
        } else {
            onData(Bytes.takeRemaining(view));
        }
    }

    /**
     * Node's pipe backpressure: a {@code false} from {@code write} pauses the source until {@code drain}; both
     * only while this pipe is still the source's ({@link Inbound#flowForPipe}).
     */
    private void written(boolean below) {
        if (!below && active && source.inbound.flowForPipe(this, false)) {
            destination.onceDrain(this::drained);
        }
    }

    private void drained() {
        if (active) {
            source.inbound.flowForPipe(this, true);
        }
    }

    void start() {
        source.on(Socket.END, (Listener) this).on(Socket.CLOSE, this).on(Socket.DATA, this);
        source.resume();
    }

    void stop() {
        active = false;
        source.off(Socket.DATA, this).off(Socket.END, (Listener) this).off(Socket.CLOSE, this);
    }
}
