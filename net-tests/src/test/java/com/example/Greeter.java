// tag::gs-server[]
package com.example;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;

/** Reads a name until the client ends its side, then answers "hello, NAME" and closes. */
public final class Greeter {

    public static Server start(int port) {
        Server server = Net.createServer(connection -> {
            StringBuilder name = new StringBuilder();   // one socket's listeners run one at a time
            connection.on(Socket.TEXT, name::append);
            connection.on(Socket.END, () -> connection.write("hello, " + name));
            connection.on(Socket.ERROR, error -> System.err.println("client failed: " + error.getMessage()));
        });
        return server.listen(port, "127.0.0.1");
    }

    public static void main(String[] args) {
        start(8080);
        System.out.println("listening on 127.0.0.1:8080");
    }
}
// end::gs-server[]
