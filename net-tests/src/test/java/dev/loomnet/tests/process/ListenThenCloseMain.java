package dev.loomnet.tests.process;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;

/** Child program: listens, closes, returns from main. With nothing open, the JVM must exit by itself. */
public final class ListenThenCloseMain {

    private ListenThenCloseMain() {
    }

    public static void main(String[] args) {
        Server server = Net.createServer().listen(0, "127.0.0.1");
        System.out.println("port " + server.address().port());
        server.close(e -> System.out.println("closed " + e));
    }
}
