package dev.loomnet.tests.interop;

import dev.loomnet.examples.SeedServer;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;

/**
 * loomnet's seed server in a child JVM for {@link SeedInteropTest}: {@link SeedServer#create()} and the
 * listen call of {@link SeedServer#main}, with the changes seed-server.js makes to Node's, none of which
 * prints on stdout: an ephemeral port on 127.0.0.1 announced as {@code port N} on stderr, and each
 * connection's {@code error CODE} and {@code close HADERROR} on stderr.
 */
public final class SeedServerMain {

    private SeedServerMain() {
    }

    /**
     * Runs the seed's server until the process is killed.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Server server = SeedServer.create();
        server.on(Server.CONNECTION, connection -> connection
                .on(Socket.ERROR, e -> System.err.println("error " + (e instanceof NetException ne ? ne.code() : e)))
                .on(Socket.CLOSE, hadError -> System.err.println("close " + hadError)));
        server.listen(0, "127.0.0.1", () -> {
            System.out.println("server is listening");
            System.err.println("port " + server.address().port());
        });
    }
}
