package dev.loomnet.tests.stress;

import dev.loomnet.net.Listener;
import dev.loomnet.net.Writable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The destination of a PIPE socket: records the chunks into the socket's {@link Peer}, pushes back now and
 * then, and drains on a thread.
 */
final class PipeRecorder implements Writable {
    private final Peer peer;
    private final AtomicInteger chunks = new AtomicInteger();
    private final Listener onChunk;

    PipeRecorder(Peer peer, Listener onChunk) {
        this.peer = peer;
        this.onChunk = onChunk;
    }

    @Override
    public boolean write(byte[] chunk) {
        if (peer.recorderEnds.get() > 0) {
            peer.recorderWritesAfterEnd.incrementAndGet();
        }
        if (peer.unpiped && peer.writesAfterUnpipe.incrementAndGet() == 2) {
            // One chunk may be under way when unpipe() returns on another thread; a second is the pipe's
            peer.anomalies.add("the pipe wrote to its destination twice after unpipe() returned");
        }
        peer.received(chunk);
        try {
            onChunk.handle();                           // the DATA triggers of a piped socket fire here
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        int every = peer.config.recorderFalseEvery();
        return every == 0 || chunks.incrementAndGet() % every != 0;
    }

    @Override
    public Writable onceDrain(Listener listener) {
        // Drain from a plain thread of our own, as an application's asynchronous sink would.
        peer.helpers.add(Thread.ofVirtual().name("chaos-drain").start(() -> {
            try {
                listener.handle();
            } catch (Exception e) {
                peer.anomalies.add("the pipe's drain listener threw " + e);
            }
        }));
        return this;
    }

    @Override
    public Writable end() {
        peer.recorderEnds.incrementAndGet();
        peer.log.add("note:pipe-end");
        return this;
    }
}
