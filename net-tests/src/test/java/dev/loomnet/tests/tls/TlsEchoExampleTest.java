package dev.loomnet.tests.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomnet.examples.SelfSignedCertificate;
import dev.loomnet.examples.TlsEchoClient;
import dev.loomnet.examples.TlsEchoExample;
import dev.loomnet.examples.TlsEchoServer;
import dev.loomnet.net.TlsOptions;
import dev.loomnet.net.TlsServer;
import dev.loomnet.testing.ChildJvm;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's TLS example: {@link TlsEchoExample} run as the README runs it (its own JVM, which must exit by
 * itself), and {@link TlsEchoServer} with {@link TlsEchoClient} in this JVM.
 */
class TlsEchoExampleTest {

    @Test
    void the_example_prints_the_conversation_and_exits_by_itself() throws Exception {
        try (ChildJvm child = ChildJvm.onClassPath(TlsEchoExample.class)) {
            assertEquals(0, child.awaitExit(), () -> String.join("\n", child.lines()));
            List<String> lines = child.lines();
            String all = String.join("\n", lines);
            assertTrue(lines.get(0).startsWith("made a self-signed certificate for localhost in "), all);
            assertTrue(lines.contains("server is listening"), all);
            assertTrue(lines.contains("Connected"), all);
            assertTrue(all.contains("Received: Hello World!"), all);
            assertTrue(all.contains("Hello from client"), all);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("client connected over TLSv1.3")), all);
            assertTrue(lines.contains("client closed the connection"), all);
            assertTrue(lines.contains("Connection closed"), all);
            assertTrue(lines.stream().noneMatch(l -> l.contains("error") || l.contains("failed")), all);
        }
    }

    @Test
    void the_server_and_client_classes_talk_in_this_jvm() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create();
        TlsServer server = TlsEchoServer.create(TlsOptions.builder().pfx(cert.pfxBytes())
                .passphrase(SelfSignedCertificate.PASSWORD).build());
        server.listen(0, "127.0.0.1");
        CountDownLatch closed = new CountDownLatch(1);
        TlsEchoClient.start(server.address().port(), cert.cert(), hadError -> {
            assertEquals(false, hadError);
            closed.countDown();
        });
        assertTrue(closed.await(30, TimeUnit.SECONDS));
        TlsFixtures.waitFor().until(() -> server.connections() == 0);
        server.close();
    }
}
