package dev.loomnet.examples;

import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;

/**
 * The README's run command: starts the seed's server on an ephemeral port, runs the first client, then the
 * second, each after the previous conversation fully closed on both sides, then closes the server. The JVM
 * then exits by itself, because no listening server or open socket is left (Node's process rule). The output
 * is the lines Node prints for the seed, in a fixed order.
 */
public final class SeedExample {

    private SeedExample() {
    }

    /**
     * Runs the seed.
     *
     * @param args ignored
     * @throws InterruptedException if interrupted while waiting for a conversation to end
     */
    public static void main(String[] args) throws InterruptedException {
        Semaphore serverSideClosed = new Semaphore(0);
        Server server = SeedServer.create()
                .on(Server.CONNECTION, connection -> connection.on(Socket.CLOSE, e -> serverSideClosed.release()));
        CountDownLatch listening = new CountDownLatch(1);
        server.listen(0, "127.0.0.1", 0, () -> {
            System.out.println("server is listening");
            listening.countDown();
        });
        listening.await();
        int port = server.address().port();

        CountDownLatch first = new CountDownLatch(1);
        SeedClient.start(port, hadError -> first.countDown());
        first.await();
        serverSideClosed.acquire();

        CountDownLatch second = new CountDownLatch(1);
        SeedClient2.start(port, hadError -> second.countDown());
        second.await();
        serverSideClosed.acquire();

        server.close();
    }
}
