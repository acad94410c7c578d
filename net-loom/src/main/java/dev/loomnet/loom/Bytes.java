package dev.loomnet.loom;

import java.nio.ByteBuffer;

/** Copies out of borrowed buffers (a pipe's reused read buffer), so that what outlives the call owns its bytes. */
final class Bytes {

    private Bytes() {
    }

    /** A new array with {@code buffer}'s remaining bytes; consumes them (the position moves to the limit). */
    static byte[] takeRemaining(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.get(copy);
        return copy;
    }
}
