package dev.loomnet.tests.observability;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * A Flight Recorder recording of loomnet's events in this JVM, read back from a file once stopped. Other tests
 * may run meanwhile, so each test picks its events by port or socket.
 */
final class Recorded implements AutoCloseable {

    static final String CONNECTION = "dev.loomnet.Connection";
    static final String LISTENING = "dev.loomnet.ServerListening";
    static final String SERVER_CLOSED = "dev.loomnet.ServerClosed";
    static final String DROP = "dev.loomnet.Drop";
    static final String ACCEPT_FAILED = "dev.loomnet.AcceptFailed";
    static final String TLS_HANDSHAKE = "dev.loomnet.TlsHandshake";
    static final List<String> ALL = List.of(CONNECTION, LISTENING, SERVER_CLOSED, DROP, ACCEPT_FAILED, TLS_HANDSHAKE);

    private final Recording recording = new Recording();
    private final Path file;
    private List<RecordedEvent> events = List.of();

    private Recorded(Path dir) {
        this.file = dir.resolve("loomnet.jfr");
        for (String name : ALL) {
            recording.enable(name);
        }
    }

    /** Starts recording loomnet's events; {@code dir} holds the file. */
    static Recorded start(Path dir) {
        Recorded r = new Recorded(dir);
        r.recording.start();
        return r;
    }

    /** Stops and reads what was recorded. */
    Recorded stop() throws IOException {
        recording.stop();
        recording.dump(file);
        events = RecordingFile.readAllEvents(file);
        return this;
    }

    /** The recorded events named {@code name} that {@code which} selects. */
    List<RecordedEvent> of(String name, Predicate<RecordedEvent> which) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).filter(which).toList();
    }

    /** The one event named {@code name} that {@code which} selects; fails unless exactly one. */
    RecordedEvent one(String name, Predicate<RecordedEvent> which) {
        List<RecordedEvent> found = of(name, which);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + name + ", found " + found.size() + ": " + found);
        }
        return found.get(0);
    }

    @Override
    public void close() {
        recording.close();
    }
}
