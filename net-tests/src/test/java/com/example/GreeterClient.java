// tag::gs-client[]
package com.example;

import dev.loomnet.net.Net;
import dev.loomnet.net.Socket;

/** Sends a name to the greeter and prints its answer. */
public final class GreeterClient {

    public static void main(String[] args) {
        Socket client = Net.connect(8080, "127.0.0.1");
        client.on(Socket.TEXT, System.out::println);
        client.on(Socket.ERROR, error -> System.err.println("failed: " + error.getMessage()));
        client.end(args.length > 0 ? args[0] : "world");    // sent once connected, then our FIN
    }
}
// end::gs-client[]
