package dev.loomnet.tests.observability;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;

/**
 * Child program: records {@code dev.loomnet.AcceptFailed} and runs an echo server on 127.0.0.1 (prints
 * {@code port N}, and {@code closed} for each connection that closed); then takes commands on its standard
 * input: {@code hog} opens files until no descriptor is left ({@code hogged N}), {@code free} closes them
 * ({@code freed}), {@code dump PATH} writes the recording there ({@code dumped}). Run under a low open-file
 * limit.
 */
public final class JfrEmfileServerMain {

    private JfrEmfileServerMain() {
    }

    public static void main(String[] args) throws IOException {
        Recording recording = new Recording();
        recording.enable(Recorded.ACCEPT_FAILED);
        recording.start();
        Server server = Net.createServer(c -> c.on(Socket.CLOSE, hadError -> System.out.println("closed"))
                .pipe(c));
        server.on(Server.ERROR, e -> System.out.println("server-error " + e));
        server.listen(0, "127.0.0.1", () -> System.out.println("port " + server.address().port()));
        List<FileChannel> hog = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("hog")) {
                try {
                    for (int i = 0; i < 100_000; i++) {
                        hog.add(FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ));
                    }
                } catch (IOException expected) {
                    // the limit is reached
                }
                System.out.println("hogged " + hog.size());
            } else if (line.equals("free")) {
                for (FileChannel f : hog) {
                    f.close();
                }
                hog.clear();
                System.out.println("freed");
            } else if (line.startsWith("dump ")) {
                recording.stop();
                recording.dump(Path.of(line.substring(5)));
                System.out.println("dumped");
            }
        }
        server.close();
    }
}
