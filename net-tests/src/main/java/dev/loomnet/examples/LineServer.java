package dev.loomnet.examples;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A line protocol in the blocking style: the connection listener runs on the connection's own virtual
 * thread and simply reads a line, writes a reply, and loops, with the socket's streams. Commands:
 * {@code UPPER text} replies {@code TEXT}, {@code ECHO text} replies {@code text}, {@code QUIT} replies
 * {@code BYE} and ends; anything else replies {@code ERR unknown command}. At the peer's end it ends too.
 * Run it with {@code LineServer PORT}.
 */
public final class LineServer {

    private LineServer() {
    }

    /**
     * Creates the server, not yet listening.
     *
     * @return the server
     */
    public static Server create() {
        // tag::line-server[]
        return Net.createServer(socket -> {
            socket.on(Socket.ERROR, error -> { });    // a client that resets mid-conversation is routine here
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.inputStream(), StandardCharsets.UTF_8));
            PrintStream out = new PrintStream(socket.outputStream(), true, StandardCharsets.UTF_8);
            String line;
            while ((line = in.readLine()) != null) {
                String reply = reply(line);
                out.print(reply + "\n");
                out.flush();
                if (reply.equals("BYE")) {
                    break;
                }
            }
            socket.destroySoon();       // flush the replies, send FIN, then close without waiting for the peer
        });
        // end::line-server[]
    }

    /**
     * Computes the reply to one request line.
     *
     * @param line the request, without its line terminator
     * @return the reply line
     */
    static String reply(String line) {
        int space = line.indexOf(' ');
        String command = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : line.substring(space + 1);
        return switch (command) {
            case "UPPER" -> argument.toUpperCase(Locale.ROOT);
            case "ECHO" -> argument;
            case "QUIT" -> "BYE";
            default -> "ERR unknown command";
        };
    }

    /**
     * Runs the server on the given port (0 picks one) and prints it.
     *
     * @param args {@code PORT}
     */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Server server = create();
        server.listen(port, "127.0.0.1", 0, () -> System.out.println("listening on " + server.address().port()));
    }
}
