package dev.loomnet.net;

/**
 * Node's {@code socket.readyState}: derived from whether the socket is connecting, readable and writable.
 */
public enum ReadyState {
    /** The socket is connecting ({@code 'opening'}). */
    OPENING("opening"),
    /** Readable and writable ({@code 'open'}). */
    OPEN("open"),
    /** Readable only: this side ended its writing ({@code 'readOnly'}). */
    READ_ONLY("readOnly"),
    /** Writable only: the peer ended its writing and we read the end ({@code 'writeOnly'}). */
    WRITE_ONLY("writeOnly"),
    /** Neither readable nor writable ({@code 'closed'}). */
    CLOSED("closed");

    private final String nodeName;

    ReadyState(String nodeName) {
        this.nodeName = nodeName;
    }

    /**
     * Returns the string Node uses for this state.
     *
     * @return e.g. {@code "readOnly"}
     */
    public String nodeName() {
        return nodeName;
    }
}
