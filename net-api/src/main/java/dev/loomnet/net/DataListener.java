package dev.loomnet.net;

/**
 * A listener of {@link Socket#DATA}: receives each chunk read from the connection, in order.
 */
@FunctionalInterface
public interface DataListener {

    /**
     * Handles one chunk. The array is new for each event and belongs to the listeners from then on: loomnet
     * never reuses or changes it (all listeners of the event receive the same array).
     *
     * @param chunk the bytes read, never empty
     * @throws Exception anything; the socket is then destroyed with it
     */
    void onData(byte[] chunk) throws Exception;
}
