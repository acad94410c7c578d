package dev.loomnet.tests.process;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;

/** Child program: prints which provider and which module {@code Net} came from, listens, closes, exits. */
public final class ProviderMain {

    private ProviderMain() {
    }

    public static void main(String[] args) {
        Server server = Net.createServer().listen(0, "127.0.0.1");
        System.out.println("provider " + Net.provider().getClass().getName());
        System.out.println("module " + Net.class.getModule().getName());
        System.out.println("listening " + (server.address().port() > 0));
        server.close();
    }
}
