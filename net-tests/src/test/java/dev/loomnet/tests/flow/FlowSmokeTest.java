package dev.loomnet.tests.flow;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomnet.examples.LineServer;
import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FlowSmokeTest {

    @Test
    void a_pipe_echo_returns_text_decoded_across_chunks() {
        Server server = Net.createServer(s -> s.pipe(s)).listen(0, "127.0.0.1");
        StringBuilder text = new StringBuilder();
        AtomicReference<Boolean> closed = new AtomicReference<>();
        Socket client = Net.socket().on(Socket.TEXT, text::append).on(Socket.CLOSE, closed::set);
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        client.connect(server.address().port(), "127.0.0.1", () -> {
            client.cork();
            client.write(new byte[] {euro[0]});
            client.uncork();
            client.write(new byte[] {euro[1], euro[2]});
            client.end("!");
        });
        await().until(() -> closed.get() != null);
        assertEquals("€!", text.toString());
        server.close();
    }

    @Test
    void the_blocking_line_server_answers_over_streams() throws Exception {
        Server server = LineServer.create().listen(0, "127.0.0.1");
        Socket client = Net.connect(server.address().port(), "127.0.0.1");
        OutputStream out = client.outputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(client.inputStream(), StandardCharsets.UTF_8));
        out.write("UPPER abc\nECHO x y\nQUIT\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("ABC", in.readLine());
        assertEquals("x y", in.readLine());
        assertEquals("BYE", in.readLine());
        assertEquals(null, in.readLine());
        await().until(client::destroyed);
        server.close();
    }
}
