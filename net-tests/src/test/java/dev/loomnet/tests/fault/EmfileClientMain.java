package dev.loomnet.tests.fault;

import dev.loomnet.net.NetException;
import dev.loomnet.net.Net;
import dev.loomnet.net.Socket;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Child program: uses up its descriptors, then connects to the port in {@code args[0]} and prints what the
 * socket reports; then frees them and connects again. {@code args[1]} is a closed port, for the warm-up. Run
 * under a low open-file limit.
 */
public final class EmfileClientMain {

    private EmfileClientMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        // Load the classes of both outcomes first (a connection, and one refused by the closed port in
        // args[1]): with no descriptor left, no class file can be opened.
        System.out.println("warm-up " + attempt(port) + " / " + attempt(Integer.parseInt(args[1])));
        List<FileChannel> hog = new ArrayList<>();
        try {
            for (int i = 0; i < 100_000; i++) {
                hog.add(FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ));
            }
        } catch (IOException expected) {
            // the limit is reached
        }
        String exhausted = attempt(port);
        for (FileChannel f : hog) {
            f.close();
        }
        System.out.println("exhausted after " + hog.size() + " files: " + exhausted);
        System.out.println("freed: " + attempt(port));
    }

    /** One connection: "connected" then its close, or the error code, message and close. */
    private static String attempt(int port) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Socket s = Net.socket();
        s.on(Socket.CONNECT, () -> {
            seen.append("connected; ");
            s.destroy();
        }).on(Socket.ERROR, e -> seen.append("error ").append(e instanceof NetException ne ? ne.code() : e)
                .append(" (").append(e.getMessage()).append("); "))
                .on(Socket.CLOSE, hadError -> outcome.complete(seen + "close " + hadError));
        s.connect(port, "127.0.0.1");
        return outcome.get(20, TimeUnit.SECONDS);
    }
}
