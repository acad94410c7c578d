package dev.loomnet.docs.snippets;

// tag::readme-echo[]
import dev.loomnet.net.*;

public class Echo {
    public static void main(String[] args) {
        Server server = Net.createServer(connection -> {
            System.out.println("client connected");
            connection.on(Socket.END, () -> System.out.println("client closed the connection"));
            connection.on(Socket.ERROR, error -> System.out.println("client failed: " + error.getMessage()));
            connection.write("Hello World!\r\n");
            connection.pipe(connection);                  // echo, with backpressure
        });
        server.listen(8080, () -> System.out.println("server is listening"));
        // main returns; the listening server keeps the JVM alive, as in Node
    }
}
// end::readme-echo[]
