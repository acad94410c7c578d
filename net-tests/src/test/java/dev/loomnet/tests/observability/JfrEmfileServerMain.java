package dev.loomnet.tests.observability;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.tests.fault.DescriptorHog;
import java.io.IOException;
import java.nio.file.Path;
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
        DescriptorHog.run(line -> {
            if (!line.startsWith("dump ")) {
                return false;
            }
            recording.stop();
            try {
                recording.dump(Path.of(line.substring(5)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            System.out.println("dumped");
            return true;
        });
        server.close();
    }
}
