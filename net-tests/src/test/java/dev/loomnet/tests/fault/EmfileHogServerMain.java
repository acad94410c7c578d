package dev.loomnet.tests.fault;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.IOException;

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
        DescriptorHog.run(line -> false);
        server.close();
    }
}
