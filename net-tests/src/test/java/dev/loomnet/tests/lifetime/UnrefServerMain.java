package dev.loomnet.tests.lifetime;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;

/**
 * Child program: {@code UnrefServerMain after|before}. Listens and unrefs the server after listen, or before
 * it (catalog #140, #141), prints the port and returns from main: the JVM must exit.
 */
public final class UnrefServerMain {

    private UnrefServerMain() {
    }

    public static void main(String[] args) {
        Server server = Net.createServer();
        if (args[0].equals("before")) {
            server.unref();
            server.listen(0, "127.0.0.1");
        } else {
            server.listen(0, "127.0.0.1").unref();
        }
        System.out.println("port " + server.address().port());
    }
}
