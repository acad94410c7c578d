package dev.loomnet.tests.lifetime;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import java.nio.file.Path;

/**
 * Child program: {@code UnrefServerMain after|before} listens on a TCP port and unrefs the server after listen,
 * or before it (catalog #140, #141), prints the port and returns from main: the JVM must exit.
 * {@code UnrefServerMain ipc|ipc-ref PATH} listens on the Unix socket {@code PATH}, unref'd after listen (#140,
 * Node's test-pipe-unref: the JVM must exit) or left ref'd (the control: the JVM must stay up), and prints
 * {@code path PATH listening true}.
 */
public final class UnrefServerMain {

    private UnrefServerMain() {
    }

    public static void main(String[] args) {
        Server server = Net.createServer();
        switch (args[0]) {
            case "before" -> {
                server.unref();
                server.listen(0, "127.0.0.1");
            }
            case "after" -> server.listen(0, "127.0.0.1").unref();
            case "ipc" -> server.listen(Path.of(args[1])).unref();
            case "ipc-ref" -> server.listen(Path.of(args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        }
        if (args[0].startsWith("ipc")) {
            System.out.println("path " + server.address().path() + " listening " + server.listening());
        } else {
            System.out.println("port " + server.address().port());
        }
    }
}
