package dev.loomnet.net;

/**
 * A listener of {@link Socket#TEXT}: receives the data decoded as text with the socket's encoding.
 */
@FunctionalInterface
public interface TextListener {

    /**
     * Handles one decoded chunk. A character whose bytes were split across two reads is delivered whole, in
     * the later chunk.
     *
     * @param text the decoded text, never empty
     * @throws Exception anything; the socket is then destroyed with it
     */
    void onText(String text) throws Exception;
}
