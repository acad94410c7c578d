package dev.loomnet.tests.process;

import dev.loomnet.net.Net;

/**
 * Connects to a port nothing listens on ({@code args[0]}) and returns without listening for anything: the
 * refused connect's {@code ERROR} reaches no listener, so it must be reported when the JVM exits.
 */
public final class UnheardErrorMain {

    private UnheardErrorMain() {
    }

    /**
     * Runs it.
     *
     * @param args the closed port
     */
    public static void main(String[] args) {
        Net.connect(Integer.parseInt(args[0]), "127.0.0.1");
        System.out.println("connecting");
    }
}
