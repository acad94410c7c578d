package dev.loomnet.tests.lifetime;

import dev.loomnet.net.Net;
import dev.loomnet.net.Socket;
import java.time.Duration;

/**
 * Child program: {@code ClientMain PORT ref|unref-timeout}. Connects to the parent's server on 127.0.0.1 and
 * returns from main once connected.
 * <ul>
 *   <li>{@code ref}: calls {@code unref()} then {@code ref()} before connecting (catalog #142): the socket is
 *       ref'd, so the JVM stays up until the parent ends the connection;</li>
 *   <li>{@code unref-timeout}: arms a 60 s idle timeout and unrefs the socket: neither the open socket nor its
 *       timer may keep the JVM alive.</li>
 * </ul>
 */
public final class ClientMain {

    private ClientMain() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Socket socket = Net.socket();
        socket.on(Socket.ERROR, e -> System.out.println("error " + e));
        socket.on(Socket.CLOSE, hadError -> System.out.println("closed " + hadError));
        socket.resume();
        if (args[1].equals("ref")) {
            socket.unref();
            socket.ref();
        } else {
            socket.setTimeout(Duration.ofSeconds(60), () -> System.out.println("timeout"));
            socket.unref();
        }
        socket.connect(port, "127.0.0.1", () -> System.out.println("connected"));
    }
}
