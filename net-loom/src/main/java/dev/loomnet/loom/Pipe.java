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
        this.onData = chunk -> {
            if (!destination.write(chunk) && active) {
                source.pause();
                destination.onceDrain(onDrain);
            }
        };
        this.onEnd = () -> {
            if (active && this.end) {
                destination.end();
            }
        };
        this.onClose = hadError -> stop();
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
