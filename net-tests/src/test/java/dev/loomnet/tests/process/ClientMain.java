package dev.loomnet.tests.process;

import dev.loomnet.net.Net;
import dev.loomnet.net.Socket;

/** Child program: connects to the port in {@code args[0]} and returns from main; the open socket keeps it alive. */
public final class ClientMain {

    private ClientMain() {
    }

    public static void main(String[] args) {
        Socket socket = Net.socket()
                .on(Socket.CONNECT, () -> System.out.println("connected"))
                .on(Socket.CLOSE, hadError -> System.out.println("closed " + hadError));
        socket.connect(Integer.parseInt(args[0]), "127.0.0.1");
        socket.resume();                                   // read, so the server's FIN ends this socket
    }
}
