package dev.loomnet.tests.fault;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;

/**
 * Child program: an echo server (the seed's {@code connection.pipe(connection)}) on 127.0.0.1 that prints
 * {@code port N} once listening and every error it sees; run under a low open-file limit.
 */
public final class EmfileServerMain {

    private EmfileServerMain() {
    }

    public static void main(String[] args) {
        Server server = Net.createServer(c -> c.on(Socket.ERROR, e -> System.out.println("socket-error " + code(e)))
                .pipe(c));
        server.on(Server.ERROR, e -> System.out.println("server-error " + code(e) + " " + e.getMessage()));
        server.listen(0, "127.0.0.1", () -> System.out.println("port " + server.address().port()));
    }

    static String code(Throwable e) {
        return e instanceof NetException ne ? ne.code() : e.getClass().getName();
    }
}
