package dev.loomnet.soak;

import dev.loomnet.net.Net;
import dev.loomnet.net.Socket;
import java.io.OutputStream;
import java.util.SplittableRandom;

/**
 * Child program of the soak run: connects to the soak server on the port in {@code args[0]} as a
 * {@link SoakServer#SINK} and writes random bytes until it is killed; prints {@code streaming} after its first
 * chunk was queued, or {@code error CODE} and exits if the connection fails (the server may be between a close
 * and its re-listen).
 */
public final class SoakPeer {

    private SoakPeer() {
    }

    public static void main(String[] args) throws Exception {
        Socket socket = Net.socket().on(Socket.ERROR, e -> {
            System.out.println("error " + Tally.code(e));
            System.exit(2);
        });
        socket.connect(Integer.parseInt(args[0]), SoakServer.HOST);
        OutputStream out = socket.outputStream();
        out.write(SoakServer.SINK);
        SplittableRandom random = new SplittableRandom();
        byte[] chunk = new byte[64 * 1024];
        for (long i = 0; ; i++) {
            random.nextBytes(chunk);
            out.write(chunk);                             // blocks while the queue is full
            if (i == 0) {
                System.out.println("streaming");
            }
        }
    }
}
