package dev.loomnet.loom;

import dev.loomnet.net.CloseListener;
import dev.loomnet.net.DataListener;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Socket;
import dev.loomnet.net.Writable;

/**
 * One {@code source.pipe(destination)}: Node's {@code Readable.pipe}. Each chunk goes to the destination; a
 * {@code false} from its {@code write} pauses the source until the destination drains; the source's end ends
 * the destination (unless {@code end} is false); the source's close removes the pipe.
 */
final class Pipe {

    final LoomSocket source;
    final Writable destination;
    private final boolean end;
    private volatile boolean active = true;

    private final DataListener onData;
    private final Listener onDrain;
    private final Listener onEnd;
    private final CloseListener onClose;

    Pipe(LoomSocket source, Writable destination, boolean end) {
        this.source = source;
        this.destination = destination;
        this.end = end;
        this.onDrain = () -> {
            if (active) {
                source.resume();
            }
        };
        this.onData = chunk -> written(destination.write(chunk));
        this.onEnd = () -> {
            if (active && this.end) {
                destination.end();
            }
        };
        this.onClose = hadError -> stop();
    }

    DataListener dataListener() {
        return onData;
    }

    /**
     * The {@code data} step for bytes the source lends for the duration of the call ({@link
     * LoomSocket#soloPipe}): a loomnet destination writes them inline or copies what it queues; any other
     * destination gets a copy.
     */
    void pushBorrowed(java.nio.ByteBuffer view) throws Exception {
        boolean below;
        if (destination instanceof LoomSocket socket) {
            below = socket.writeBorrowed(view);
        } else {
            byte[] chunk = new byte[view.remaining()];
            view.get(chunk);
            below = destination.write(chunk);
        }
        written(below);
    }

    /** Node's pipe backpressure: a {@code false} from {@code write} pauses the source until {@code drain}. */
    private void written(boolean below) {
        if (!below && active) {
            source.pause();
            destination.onceDrain(onDrain);
        }
    }

    void start() {
        source.on(Socket.END, onEnd).on(Socket.CLOSE, onClose).on(Socket.DATA, onData);
        source.resume();
    }

    void stop() {
        active = false;
        source.off(Socket.DATA, onData).off(Socket.END, onEnd).off(Socket.CLOSE, onClose);
    }
}
