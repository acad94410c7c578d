package dev.loomnet.tests.fault;

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

/**
 * Child program: an echo server on 127.0.0.1 that prints {@code port N} once listening, then takes commands on
 * its standard input: {@code hog} opens files until the process has no descriptor left ({@code hogged N}),
 * {@code closed} once per connection that closed,
 * {@code free} closes them again ({@code freed}). Prints every server error. Run under a low open-file limit.
 */
public final class EmfileHogServerMain {

    private EmfileHogServerMain() {
    }

    public static void main(String[] args) throws IOException {
        Server server = Net.createServer(c -> c.on(Socket.ERROR, e -> System.out.println("socket-error "
                + EmfileServerMain.code(e))).on(Socket.CLOSE, hadError -> System.out.println("closed"))
                .pipe(c));
        server.on(Server.ERROR, e -> System.out.println("server-error " + EmfileServerMain.code(e) + " "
                + e.getMessage()));
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
            }
        }
        server.close();
    }
}
