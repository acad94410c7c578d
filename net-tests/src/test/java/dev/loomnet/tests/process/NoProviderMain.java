package dev.loomnet.tests.process;

import dev.loomnet.net.Net;

/** Child program run without net-loom: {@code Net.createServer()} must fail with a message naming the artifact. */
public final class NoProviderMain {

    private NoProviderMain() {
    }

    public static void main(String[] args) {
        try {
            Net.createServer();
            System.out.println("no failure");
            System.exit(3);
        } catch (IllegalStateException e) {
            System.out.println("IllegalStateException: " + e.getMessage());
        }
    }
}
