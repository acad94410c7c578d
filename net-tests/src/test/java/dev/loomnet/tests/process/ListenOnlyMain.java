package dev.loomnet.tests.process;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;

/** Child program: listens and returns from main. A listening server must keep the JVM alive. */
public final class ListenOnlyMain {

    private ListenOnlyMain() {
    }

    public static void main(String[] args) {
        Server server = Net.createServer().listen(0, "127.0.0.1");
        System.out.println("port " + server.address().port());
    }
}
