package dev.loomnet.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.loomnet.net.Net;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * {@link LoomnetExtension} fails a test that leaves a socket, a server, a loomnet thread, a socket descriptor or
 * an uncaught exception behind, and passes one that cleans up (even without waiting for {@code CLOSE}) or takes
 * its expected uncaught exception. The nested classes are the tests under check: this class runs each of them
 * through the JUnit launcher with a short settle time, then cleans up what they left.
 */
class LoomnetExtensionTest {

    private static final String SELF_TEST = "loomnet.testing.self-test";

    // What the nested tests leave behind, for this class to close after the run.
    static final List<Socket> SOCKETS = new ArrayList<>();
    static final List<Server> SERVERS = new ArrayList<>();
    static final List<ServerSocketChannel> CHANNELS = new ArrayList<>();
    static volatile CountDownLatch release = new CountDownLatch(1);
    static volatile int port;

    @BeforeEach
    void hold() {
        release = new CountDownLatch(1);
    }

    @AfterEach
    void clean_up() throws IOException {
        release.countDown();
        SOCKETS.forEach(Socket::destroy);
        SERVERS.forEach(Server::close);
        for (ServerSocketChannel ch : CHANNELS) {
            ch.close();
        }
        SOCKETS.clear();
        SERVERS.clear();
        CHANNELS.clear();
    }

    @Test
    void fails_a_test_that_leaves_a_socket_open() {
        try (TestServer server = TestServer.start(Socket::resume)) {
            port = server.port();
            String message = failure(LeaksSocket.class).getMessage();
            assertTrue(message.matches("leak after 300 ms: \\d+ socket\\(s\\) open, .*"), message);
        }
    }

    @Test
    void fails_a_test_that_leaves_a_server_listening() {
        String message = failure(LeaksServer.class).getMessage();
        assertTrue(message.contains("1 server(s) listening"), message);
    }

    @Test
    void fails_a_test_that_leaves_a_loomnet_thread_alive() {
        String message = failure(LeaksThread.class).getMessage();
        // the server is closed, so only its event thread (and a timer's, say) is left
        assertTrue(message.matches("leak after 300 ms: \\d+ loomnet thread\\(s\\) alive more .*"), message);
    }

    @Test
    void fails_a_test_that_leaves_a_socket_descriptor_open() {
        String message = failure(LeaksDescriptor.class).getMessage();
        assertTrue(message.contains("1 socket descriptor(s) more than before the test"), message);
    }

    @Test
    void fails_a_test_with_an_uncaught_exception() {
        Throwable failure = failure(ThrowsUncaught.class);
        assertInstanceOf(AssertionError.class, failure);
        assertTrue(failure.getMessage().startsWith("1 uncaught exception(s), first on thread kit-test"),
                failure.getMessage());
        assertNotNull(failure.getCause());
        assertEquals("boom", failure.getCause().getMessage());
    }

    @Test
    void passes_a_test_that_cleans_up_or_takes_its_uncaught_exception() {
        TestExecutionResult result = run(Clean.class, "PT10S");
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, result.getStatus(),
                () -> String.valueOf(result.getThrowable().orElse(null)));
    }

    private static Throwable failure(Class<?> testClass) {
        TestExecutionResult result = run(testClass, "PT0.3S");
        assertEquals(TestExecutionResult.Status.FAILED, result.getStatus());
        return result.getThrowable().orElseThrow();
    }

    /** Runs the one test of {@code testClass} under the extension alone and returns its result. */
    private static TestExecutionResult run(Class<?> testClass, String settle) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(testClass))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .configurationParameter(LoomnetExtension.SETTLE_PARAMETER, settle)
                .configurationParameter(SELF_TEST, "true")
                .build();
        List<TestExecutionResult> results = new ArrayList<>();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest()) {
                    results.add(result);
                }
            }
        });
        assertEquals(1, results.size(), "tests run");
        return results.get(0);
    }

    /** Runs the nested classes only when this class launches them (never when a build or an IDE finds them). */
    static final class OnlyLaunchedByTheKitTest implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(SELF_TEST).isPresent()
                    ? ConditionEvaluationResult.enabled("launched by LoomnetExtensionTest")
                    : ConditionEvaluationResult.disabled("run by LoomnetExtensionTest only");
        }
    }

    @ExtendWith({OnlyLaunchedByTheKitTest.class, LoomnetExtension.class})
    static class LeaksSocket {
        @Test
        void leaks() {
            Socket client = Net.connect(port, TestServer.HOST);
            SOCKETS.add(client);
            client.when(Socket.CONNECT).join();
        }
    }

    @ExtendWith({OnlyLaunchedByTheKitTest.class, LoomnetExtension.class})
    static class LeaksServer {
        @Test
        void leaks() {
            Server server = Net.createServer();
            SERVERS.add(server);
            server.listen(0, TestServer.HOST).when(Server.LISTENING).join();
        }
    }

    @ExtendWith({OnlyLaunchedByTheKitTest.class, LoomnetExtension.class})
    static class LeaksThread {
        @Test
        void leaks() {
            // a CLOSE listener that never returns keeps its event thread alive after the server closed
            Server server = Net.createServer().listen(0, TestServer.HOST);
            server.on(Server.CLOSE, () -> release.await(30, TimeUnit.SECONDS));
            server.close();
        }
    }

    @ExtendWith({OnlyLaunchedByTheKitTest.class, LoomnetExtension.class})
    static class LeaksDescriptor {
        @Test
        void leaks() throws IOException {
            ServerSocketChannel ch = ServerSocketChannel.open();
            CHANNELS.add(ch);
            ch.bind(new InetSocketAddress(TestServer.HOST, 0));
        }
    }

    @ExtendWith({OnlyLaunchedByTheKitTest.class, LoomnetExtension.class})
    static class ThrowsUncaught {
        @Test
        void throws_on_another_thread() throws InterruptedException {
            Thread t = new Thread(() -> {
                throw new IllegalStateException("boom");
            }, "kit-test");
            t.start();
            t.join();
        }
    }

    @ExtendWith({OnlyLaunchedByTheKitTest.class, LoomnetExtension.class})
    static class Clean {
        @Test
        void closes_without_waiting_and_takes_its_uncaught_exception(UncaughtExceptions uncaught)
                throws InterruptedException {
            try (TestServer server = TestServer.echo()) {
                Net.connect(server.port(), server.host()).destroy();   // its CLOSE comes after the test
            }
            Thread t = new Thread(() -> {
                throw new IllegalStateException("expected");
            }, "kit-test");
            t.start();
            t.join();
            assertEquals("kit-test", uncaught.awaitOne(e -> "expected".equals(e.getMessage())).threadName());
        }
    }
}
