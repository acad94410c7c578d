package dev.loomnet.loom;

import dev.loomnet.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A server's accepted sockets that have not closed yet, oldest first: an intrusive doubly linked list through
 * the sockets' own {@link LoomSocket#olderOpen} and {@link LoomSocket#newerOpen} fields, so that an idle
 * connection pays two references for it rather than a node of a concurrent set. Guarded by the server's lock.
 */
final class OpenConnections {

    private @Nullable LoomSocket oldest;
    private @Nullable LoomSocket newest;

    void add(LoomSocket socket) {
        socket.olderOpen = newest;
        socket.newerOpen = null;
        if (newest != null) {
            newest.newerOpen = socket;
        } else {
            oldest = socket;
        }
        newest = socket;
    }

    void remove(LoomSocket socket) {
        LoomSocket older = socket.olderOpen;
        LoomSocket newer = socket.newerOpen;
        if (older != null) {
            older.newerOpen = newer;
        } else if (oldest == socket) {
            oldest = newer;
        } else {
            return;                                       // not in the list
        }
        if (newer != null) {
            newer.olderOpen = older;
        } else {
            newest = older;
        }
        socket.olderOpen = null;
        socket.newerOpen = null;
    }

    /** The sockets now, oldest first, as an unmodifiable list. */
    List<Socket> snapshot() {
        List<Socket> out = new ArrayList<>();
        for (LoomSocket s = oldest; s != null; s = s.newerOpen) {
            out.add(s);
        }
        return Collections.unmodifiableList(out);
    }
}
