package dev.loomnet.tests.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.loomnet.net.ConnectOptions;
import dev.loomnet.net.ListenOptions;
import dev.loomnet.net.Listener;
import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.OnRead;
import dev.loomnet.net.Server;
import dev.loomnet.net.ServerOptions;
import dev.loomnet.net.Socket;
import dev.loomnet.net.SocketOptions;
import dev.loomnet.net.Writable;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input to every public method of {@link Net}, {@link Server}, {@link Socket} and the option builders:
 * {@code null}, negative, out-of-range, empty and contradictory arguments. Each case states its outcome: an
 * exception at the call with Node's code ({@link Outcome#throwsCode}), an {@code ERROR} event with Node's code
 * after a call that returned ({@link Outcome#emits}, where Node reports the failure asynchronously too), or
 * acceptance, with the reason it is right ({@link Outcome#accepts}). No case may hang (each call has
 * {@link #LIMIT}) or send anything to an uncaught exception handler (the suite's extension checks that after
 * every case), and every socket and server a case makes is closed after it.
 *
 * <p>Null listeners and callbacks have their own test ({@link NullListenerTest}).
 */
class BadInputTest {

    /** The longest any call under test may take. */
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    private final BadInputEnv env = new BadInputEnv(dir);

    @AfterEach
    void closeAll() {
        env.close();
    }

    /** What a case expects. */
    record Outcome(String code, String why) {
        static Outcome throwsCode(String code) {
            return new Outcome(code, "");
        }

        static Outcome emits(String code, String why) {
            return new Outcome("error " + code, why);
        }

        static Outcome accepts(String why) {
            return new Outcome("", why);
        }
    }

    /** A call with bad input. */
    @FunctionalInterface
    interface Call {
        void run(BadInputEnv env) throws Exception;
    }

    record Case(Outcome outcome, Call call) {
    }

    private static final List<Named<Case>> CASES = new ArrayList<>();

    private static void fails(String name, String code, Call call) {
        CASES.add(Named.of(name + " -> " + code, new Case(Outcome.throwsCode(code), call)));
    }

    private static void emits(String name, String code, String why, Call call) {
        CASES.add(Named.of(name + " -> ERROR " + code, new Case(Outcome.emits(code, why), call)));
    }

    private static void accepts(String name, String why, Call call) {
        CASES.add(Named.of(name + " -> accepted", new Case(Outcome.accepts(why), call)));
    }

    private static final String BAD_PORT = NetException.ERR_SOCKET_BAD_PORT;
    private static final String ARG_TYPE = NetException.ERR_INVALID_ARG_TYPE;
    private static final String ARG_VALUE = NetException.ERR_INVALID_ARG_VALUE;
    private static final String RANGE = NetException.ERR_OUT_OF_RANGE;
    private static final Charset UTF8 = StandardCharsets.UTF_8;

    static {
        net();
        connectOptions();
        listenOptions();
        socketAndServerOptions();
        socket();
        server();
    }

    private static void net() {
        for (int port : new int[] {-1, 65536, Integer.MIN_VALUE}) {
            fails("Net.connect(" + port + ")", BAD_PORT, e -> Net.connect(port));
            fails("Net.connect(" + port + ", host)", BAD_PORT, e -> Net.connect(port, Loopback.V4));
            fails("Net.createConnection(" + port + ")", BAD_PORT, e -> Net.createConnection(port));
        }
        fails("Net.connect(port, null host)", ARG_TYPE, e -> Net.connect(1, (String) null));
        fails("Net.connect(null path)", ARG_TYPE, e -> Net.connect((Path) null));
        fails("Net.connect(null options)", ARG_TYPE, e -> Net.connect((ConnectOptions) null));
        fails("Net.createConnection(null options)", ARG_TYPE, e -> Net.createConnection((ConnectOptions) null));
        accepts("Net.connect(port, \"\")", "Node: an empty host is localhost ('' || 'localhost')",
                e -> e.track(Net.connect(e.port(), "")));
        fails("Net.createServer(null options, listener)", ARG_TYPE, e -> Net.createServer(null, s -> { }));
        fails("Net.socket(null options)", ARG_TYPE, e -> Net.socket((SocketOptions) null));
        fails("Net.socket(null channel)", ARG_TYPE, e -> Net.socket((SocketChannel) null));
        fails("Net.socket(channel, null options)", ARG_TYPE, e -> {
            try (SocketChannel ch = SocketChannel.open()) {
                Net.socket(ch, null);
            }
        });
        fails("Net.socket(unconnected channel)", ARG_VALUE, e -> {
            try (SocketChannel ch = SocketChannel.open()) {
                Net.socket(ch);
            }
        });
        fails("Net.socket(non-blocking connected channel)", ARG_VALUE, e -> {
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(Loopback.V4, e.port()))) {
                ch.configureBlocking(false);
                Net.socket(ch);
            }
        });
        fails("Net.socket(closed channel)", ARG_VALUE, e -> {
            SocketChannel ch = SocketChannel.open(new InetSocketAddress(Loopback.V4, e.port()));
            ch.close();
            Net.socket(ch);
        });
        accepts("Net.isIP(null)", "Node's isIP(null) is 0", e -> assertEquals(0, Net.isIP(null)));
        accepts("Net.isIP(\"\")", "not an address: 0", e -> assertEquals(0, Net.isIP("")));
        accepts("Net.isIPv4(null), isIPv6(null)", "false, as Node",
                e -> assertEquals(List.of(false, false), List.of(Net.isIPv4(null), Net.isIPv6(null))));
        fails("Net.setDefaultAutoSelectFamilyAttemptTimeout(null)", ARG_TYPE,
                e -> Net.setDefaultAutoSelectFamilyAttemptTimeout(null));
        fails("Net.setDefaultAutoSelectFamilyAttemptTimeout(0)", RANGE,
                e -> Net.setDefaultAutoSelectFamilyAttemptTimeout(Duration.ZERO));
        fails("Net.setDefaultAutoSelectFamilyAttemptTimeout(-1 ms)", RANGE,
                e -> Net.setDefaultAutoSelectFamilyAttemptTimeout(Duration.ofMillis(-1)));
        accepts("Net.setDefaultAutoSelectFamilyAttemptTimeout(1 ms)", "Node raises values below 10 ms to 10 ms",
                e -> {
                    Duration before = Net.getDefaultAutoSelectFamilyAttemptTimeout();
                    try {
                        Net.setDefaultAutoSelectFamilyAttemptTimeout(Duration.ofMillis(1));
                        assertEquals(Duration.ofMillis(10), Net.getDefaultAutoSelectFamilyAttemptTimeout());
                    } finally {
                        Net.setDefaultAutoSelectFamilyAttemptTimeout(before);
                    }
                });
    }

    private static void connectOptions() {
        for (int port : new int[] {-1, 65536}) {
            fails("ConnectOptions.port(" + port + ")", BAD_PORT, e -> ConnectOptions.builder().port(port));
            fails("ConnectOptions.localPort(" + port + ")", BAD_PORT, e -> ConnectOptions.builder().localPort(port));
        }
        fails("ConnectOptions.host(null)", ARG_TYPE, e -> ConnectOptions.builder().host(null));
        accepts("ConnectOptions.host(\"\")", "Node: an empty host is localhost",
                e -> assertEquals("localhost", ConnectOptions.builder().port(1).host("").build().host()));
        fails("ConnectOptions.path(null)", ARG_TYPE, e -> ConnectOptions.builder().path(null));
        fails("ConnectOptions.localAddress(null)", ARG_TYPE, e -> ConnectOptions.builder().localAddress(null));
        fails("ConnectOptions.localAddress(\"\")", NetException.ERR_INVALID_IP_ADDRESS,
                e -> ConnectOptions.builder().localAddress(""));
        fails("ConnectOptions.localAddress(\"localhost\")", NetException.ERR_INVALID_IP_ADDRESS,
                e -> ConnectOptions.builder().localAddress("localhost"));
        for (int family : new int[] {-1, 5, 46}) {
            fails("ConnectOptions.family(" + family + ").build()", ARG_VALUE,
                    e -> ConnectOptions.builder().port(1).family(family).build());
        }
        fails("ConnectOptions.timeout(null)", ARG_TYPE, e -> ConnectOptions.builder().timeout(null));
        fails("ConnectOptions.timeout(-1 ms)", RANGE, e -> ConnectOptions.builder().timeout(Duration.ofMillis(-1)));
        accepts("ConnectOptions.timeout(Long.MAX_VALUE s)", "a timeout that never fires in practice (Node caps "
                + "its timers too)", e -> e.track(Net.connect(ConnectOptions.builder().port(e.port())
                .host(Loopback.V4).timeout(Duration.ofSeconds(Long.MAX_VALUE)).build())));
        fails("ConnectOptions.lookup(null)", ARG_TYPE, e -> ConnectOptions.builder().lookup(null));
        fails("ConnectOptions.autoSelectFamilyAttemptTimeout(null)", ARG_TYPE,
                e -> ConnectOptions.builder().autoSelectFamilyAttemptTimeout(null));
        fails("ConnectOptions.autoSelectFamilyAttemptTimeout(0)", RANGE,
                e -> ConnectOptions.builder().autoSelectFamilyAttemptTimeout(Duration.ZERO));
        accepts("ConnectOptions.autoSelectFamilyAttemptTimeout(1 ms)", "raised to 10 ms, as Node",
                e -> assertEquals(Duration.ofMillis(10), ConnectOptions.builder().port(1)
                        .autoSelectFamilyAttemptTimeout(Duration.ofMillis(1)).build()
                        .autoSelectFamilyAttemptTimeout()));
        fails("ConnectOptions.keepAliveInitialDelay(null)", ARG_TYPE,
                e -> ConnectOptions.builder().keepAliveInitialDelay(null));
        accepts("ConnectOptions.keepAliveInitialDelay(-1 s)", "Node takes a negative delay as 0",
                e -> assertEquals(Duration.ZERO, ConnectOptions.builder().port(1)
                        .keepAliveInitialDelay(Duration.ofSeconds(-1)).build().socketOptions()
                        .keepAliveInitialDelay()));
        fails("ConnectOptions.blockList(null)", ARG_TYPE, e -> ConnectOptions.builder().blockList(null));
        fails("ConnectOptions.onread(null)", ARG_TYPE, e -> ConnectOptions.builder().onread(null));
        fails("ConnectOptions.highWaterMark(-1)", RANGE, e -> ConnectOptions.builder().highWaterMark(-1));
        fails("ConnectOptions without port or path", NetException.ERR_MISSING_ARGS,
                e -> ConnectOptions.builder().build());
        accepts("ConnectOptions with port and path", "the path wins, as in Node",
                e -> assertEquals(true, ConnectOptions.builder().port(1).path(e.path("p.sock")).build().isPath()));
        accepts("ConnectOptions with localAddress and autoSelectFamily", "a localAddress turns autoSelectFamily "
                + "off, as in Node", e -> e.track(Net.connect(ConnectOptions.builder().port(e.port())
                .host(Loopback.V4).localAddress(Loopback.V4).autoSelectFamily(true).build())));
        emits("connect with localAddress ::1 to 127.0.0.1", NetException.EINVAL, "the bind and the target "
                + "disagree on the family; Node fails the connect asynchronously too", e -> e.socket()
                .connect(ConnectOptions.builder().port(e.port()).host(Loopback.V4).localAddress("::1").build()));
        fails("ConnectOptions record with null socketOptions", ARG_TYPE, e -> new ConnectOptions(1, "localhost",
                null, null, 0, 0, 0, null, null, null, false, Duration.ofMillis(250)));
        fails("ConnectOptions record with null attempt timeout", ARG_TYPE, e -> new ConnectOptions(1, "localhost",
                null, null, 0, 0, 0, null, SocketOptions.DEFAULTS, null, false, null));
    }

    private static void listenOptions() {
        for (int port : new int[] {-1, 65536}) {
            fails("ListenOptions.port(" + port + ")", BAD_PORT, e -> ListenOptions.builder().port(port));
        }
        fails("ListenOptions.host(null)", ARG_TYPE, e -> ListenOptions.builder().host(null));
        accepts("ListenOptions.host(\"\")", "Node: an empty host is no host",
                e -> assertEquals(null, ListenOptions.builder().port(0).host("").build().host()));
        fails("ListenOptions.path(null)", ARG_TYPE, e -> ListenOptions.builder().path(null));
        accepts("ListenOptions.backlog(-5)", "below 1 means the default, 511",
                e -> assertEquals(ListenOptions.DEFAULT_BACKLOG, ListenOptions.builder().port(0).backlog(-5).build()
                        .backlog()));
        fails("ListenOptions without port or path", ARG_VALUE, e -> ListenOptions.builder().build());
        fails("ListenOptions with only a host", ARG_VALUE, e -> ListenOptions.builder().host(Loopback.V4).build());
        accepts("ListenOptions with port and path", "the port wins, as in Node",
                e -> assertEquals(false, ListenOptions.builder().port(0).path(e.path("l.sock")).build().isPath()));
        accepts("listen ipv6Only on an IPv4 host", "ipv6Only only concerns IPv6 hosts, as in Node",
                e -> e.server().listen(ListenOptions.builder().port(0).host(Loopback.V4).ipv6Only(true).build()));
        accepts("listen readableAll on a TCP port", "Unix sockets only; ignored elsewhere, as in Node",
                e -> e.server().listen(ListenOptions.builder().port(0).host(Loopback.V4).readableAll(true).build()));
    }

    private static void socketAndServerOptions() {
        fails("SocketOptions.keepAliveInitialDelay(null)", ARG_TYPE,
                e -> SocketOptions.builder().keepAliveInitialDelay(null));
        fails("SocketOptions.highWaterMark(-1)", RANGE, e -> SocketOptions.builder().highWaterMark(-1));
        accepts("SocketOptions.highWaterMark(0)", "0 is allowed: every write returns false",
                e -> SocketOptions.builder().highWaterMark(0).build());
        fails("SocketOptions.blockList(null)", ARG_TYPE, e -> SocketOptions.builder().blockList(null));
        fails("SocketOptions.onread(null)", ARG_TYPE, e -> SocketOptions.builder().onread(null));
        fails("OnRead.of(empty buffer)", ARG_VALUE, e -> OnRead.of(new byte[0], (n, b) -> true));
        fails("OnRead.of(null buffer)", ARG_VALUE, e -> OnRead.of((byte[]) null, (n, b) -> true));
        fails("OnRead.of(buffer, null callback)", ARG_TYPE, e -> OnRead.of(new byte[1], null));
        emits("onread whose supplier gives null", ARG_VALUE, "the buffer is asked for once connected",
                e -> e.track(Net.socket(SocketOptions.builder().onread(OnRead.of(() -> null, (n, b) -> true))
                        .build())).connect(e.port(), Loopback.V4));
        fails("ServerOptions.keepAliveInitialDelay(null)", ARG_TYPE,
                e -> ServerOptions.builder().keepAliveInitialDelay(null));
        fails("ServerOptions.highWaterMark(-1)", RANGE, e -> ServerOptions.builder().highWaterMark(-1));
        fails("ServerOptions.blockList(null)", ARG_TYPE, e -> ServerOptions.builder().blockList(null));
        fails("SocketOptions record with null keepAliveInitialDelay", ARG_TYPE,
                e -> new SocketOptions(false, false, false, null, 1, null, null, null));
    }

    private static void socket() {
        for (int port : new int[] {-1, 65536}) {
            fails("socket.connect(" + port + ")", BAD_PORT, e -> e.socket().connect(port));
            fails("socket.connect(" + port + ", host)", BAD_PORT, e -> e.socket().connect(port, Loopback.V4));
        }
        emits("socket.connect(0, host)", NetException.ECONNREFUSED, "0 is a valid port number; nothing listens "
                + "there, as Node finds", e -> e.socket().connect(0, Loopback.V4));
        fails("socket.connect(port, null host)", ARG_TYPE, e -> e.socket().connect(1, (String) null));
        accepts("socket.connect(port, \"\")", "Node: an empty host is localhost",
                e -> e.socket().connect(e.port(), ""));
        fails("socket.connect(null path)", ARG_TYPE, e -> e.socket().connect((Path) null));
        fails("socket.connect(null options)", NetException.ERR_MISSING_ARGS,
                e -> e.socket().connect((ConnectOptions) null));
        fails("socket.connect while connected", NetException.ERR_INVALID_STATE,
                e -> e.connected().connect(e.port(), Loopback.V4));
        fails("socket.connect twice while connecting", NetException.ERR_INVALID_STATE, e -> {
            Socket s = e.socket();
            java.util.concurrent.CountDownLatch lookup = new java.util.concurrent.CountDownLatch(1);
            Loopback.connectHeld(s, e.port(), lookup);
            try {
                s.connect(e.port(), Loopback.V4);
            } finally {
                lookup.countDown();
            }
        });
        emits("socket.connect to a missing Unix path", NetException.ENOENT, "Node: connect ENOENT, async",
                e -> e.socket().connect(e.path("missing.sock")));
        fails("socket.write(null bytes)", NetException.ERR_STREAM_NULL_VALUES,
                e -> e.connected().write((byte[]) null));
        fails("socket.write(null string)", NetException.ERR_STREAM_NULL_VALUES,
                e -> e.connected().write((String) null));
        fails("socket.write(string, null charset)", ARG_TYPE, e -> e.connected().write("x", (Charset) null));
        accepts("socket.write(empty bytes)", "Node accepts an empty chunk", e -> e.connected().write(new byte[0]));
        accepts("socket.write(\"\")", "Node accepts an empty string", e -> e.connected().write(""));
        emits("socket.write before connect", NetException.ERR_SOCKET_CLOSED, "as Node: nowhere to write",
                e -> e.socket().write("x"));
        emits("socket.write after end", NetException.ERR_STREAM_WRITE_AFTER_END, "as Node (on a socket still "
                + "open: one already closed only answers false, in Node too)", e -> e.connectedHalfOpen().end()
                .write("x"));
        accepts("socket.write after destroy", "false, as Node; the callback would get ERR_STREAM_DESTROYED",
                e -> assertEquals(false, e.connected().destroy().write("x")));
        fails("socket.end(null bytes)", NetException.ERR_STREAM_NULL_VALUES, e -> e.connected().end((byte[]) null));
        fails("socket.end(null string)", NetException.ERR_STREAM_NULL_VALUES, e -> e.connected().end((String) null));
        fails("socket.end(string, null charset, callback)", ARG_TYPE,
                e -> e.connected().end("x", (Charset) null, error -> { }));
        fails("socket.end(string, null encoding name, callback)", ARG_TYPE,
                e -> e.connected().end("x", (String) null, error -> { }));
        fails("socket.end(string, unknown encoding)", NetException.ERR_UNKNOWN_ENCODING,
                e -> e.connected().end("x", "utf-32"));
        fails("socket.write(string, unknown encoding)", NetException.ERR_UNKNOWN_ENCODING,
                e -> e.connected().write("x", "bogus"));
        accepts("socket.end twice", "idempotent, as Node", e -> e.connected().end().end());
        accepts("socket.end before connect", "FINISH at once, as current Node", e -> e.socket().end());
        accepts("socket.destroy(null)", "the same as destroy()", e -> e.connected().destroy(null));
        accepts("socket.destroy twice", "idempotent", e -> e.connected().destroy().destroy());
        accepts("socket.destroySoon before connect", "as Node: destroys", e -> e.socket().destroySoon());
        fails("socket.setTimeout(null)", ARG_TYPE, e -> e.socket().setTimeout(null));
        fails("socket.setTimeout(-1 ms)", RANGE, e -> e.socket().setTimeout(Duration.ofMillis(-1)));
        fails("socket.setTimeout(-1 ms, listener)", RANGE,
                e -> e.socket().setTimeout(Duration.ofMillis(-1), () -> { }));
        accepts("socket.setTimeout(Long.MAX_VALUE s)", "capped far in the future (Node caps its timers too)",
                e -> e.connected().setTimeout(Duration.ofSeconds(Long.MAX_VALUE)));
        accepts("socket.setTimeout(0) with none set", "there is no timer to disable: a no-op",
                e -> e.socket().setTimeout(Duration.ZERO));
        accepts("socket.setTimeout after destroy", "a no-op, as Node",
                e -> e.connected().destroy().setTimeout(Duration.ofSeconds(1)));
        fails("socket.setKeepAlive(true, null)", ARG_TYPE, e -> e.connected().setKeepAlive(true, null));
        accepts("socket.setKeepAlive(true, -1 s)", "Node takes a negative delay as 0",
                e -> e.connected().setKeepAlive(true, Duration.ofSeconds(-1)));
        accepts("socket.setKeepAlive(true, Long.MAX_VALUE s)", "the delay is capped at the system's maximum",
                e -> e.connected().setKeepAlive(true, Duration.ofSeconds(Long.MAX_VALUE)));
        accepts("socket.setNoDelay on a Unix socket", "no TCP options there; ignored, as Node", e -> {
            Server unix = e.server().listen(e.path("nd.sock"));
            e.socket().connect(unix.address().path()).setNoDelay(true).setKeepAlive(true);
        });
        fails("socket.resetAndDestroy on a Unix socket", NetException.ERR_INVALID_HANDLE_TYPE, e -> {
            Server unix = e.server().listen(e.path("r.sock"));
            java.util.concurrent.atomic.AtomicBoolean up = new java.util.concurrent.atomic.AtomicBoolean();
            Socket s = e.socket().connect(unix.address().path(), () -> up.set(true));
            EventLog.waiting().untilTrue(up);
            s.resetAndDestroy();
        });
        emits("socket.resetAndDestroy before connect", NetException.ERR_SOCKET_CLOSED, "as Node",
                e -> e.socket().resetAndDestroy());
        fails("socket.setEncoding(null)", ARG_TYPE, e -> e.socket().setEncoding((Charset) null));
        fails("socket.setEncoding(null name)", ARG_TYPE, e -> e.socket().setEncoding((String) null));
        fails("socket.setEncoding(unknown name)", NetException.ERR_UNKNOWN_ENCODING, e -> e.socket().setEncoding("bogus"));
        fails("socket.setDefaultEncoding(null)", ARG_TYPE, e -> e.socket().setDefaultEncoding((Charset) null));
        fails("socket.setDefaultEncoding(unknown name)", NetException.ERR_UNKNOWN_ENCODING,
                e -> e.socket().setDefaultEncoding("bogus"));
        fails("socket.pipe(null)", ARG_TYPE, e -> e.socket().pipe(null));
        fails("socket.pipe(null, false)", ARG_TYPE, e -> e.socket().pipe(null, false));
        accepts("socket.unpipe(null)", "nothing is piped to null: no-op, as Node",
                e -> e.socket().unpipe((Writable) null));
        accepts("socket.unpipe(not piped)", "no-op, as Node", e -> e.socket().unpipe(e.socket()));
        accepts("socket.uncork without cork", "ignored, as Node", e -> e.connected().uncork().uncork());
        accepts("socket.pause/resume after destroy", "no-ops", e -> e.connected().destroy().pause().resume());
        accepts("socket.ref/unref after destroy", "no-ops", e -> e.connected().destroy().unref().ref());
        accepts("socket accessors before connect", "null or 0, as Node's undefined", e -> {
            Socket s = e.socket();
            assertEquals(java.util.Arrays.asList(null, null, null, 0, 0L),
                    java.util.Arrays.asList(s.address(), s.remoteAddress(), s.localAddress(), s.remotePort(),
                            s.bytesRead()));
        });
        fails("socket.on(null event)", ARG_TYPE, e -> e.socket().on(null, (Listener) () -> { }));
        fails("socket.once(null event)", ARG_TYPE, e -> e.socket().once(null, (Listener) () -> { }));
        accepts("socket.off(null event, listener)", "nothing registered under null: no-op",
                e -> e.socket().off(null, (Listener) () -> { }));
        accepts("socket.off(event, null)", "nothing registered as null: no-op (Node throws ERR_INVALID_ARG_TYPE)",
                e -> e.socket().off(Socket.DATA, null));
        accepts("socket.listenerCount(null)", "0", e -> assertEquals(0, e.socket().listenerCount(null)));
        fails("socket.when(null)", ARG_TYPE, e -> e.socket().when(null));
        accepts("socket.removeAllListeners(null)", "nothing registered under null: no-op",
                e -> e.socket().removeAllListeners(null));
        accepts("socket.inputStream().read(b, 0, 0)", "0 bytes asked: 0, as InputStream says",
                e -> assertEquals(0, e.connected().inputStream().read(new byte[1], 0, 0)));
        fails("socket.outputStream().write(null)", "NullPointerException", e -> e.connected().outputStream()
                .write(null));                            // java.io.OutputStream's contract for a null array
    }

    private static void server() {
        for (int port : new int[] {-1, 65536}) {
            fails("server.listen(" + port + ")", BAD_PORT, e -> e.server().listen(port));
            fails("server.listen(" + port + ", host)", BAD_PORT, e -> e.server().listen(port, Loopback.V4));
            fails("server.listen(" + port + ", callback)", BAD_PORT, e -> e.server().listen(port, () -> { }));
        }
        fails("server.listen(port, null host)", ARG_TYPE, e -> e.server().listen(0, (String) null));
        accepts("server.listen(0, \"\")", "Node: an empty host is no host (dual stack)",
                e -> assertEquals(true, List.of("::", "0.0.0.0").contains(e.server().listen(0, "").address()
                        .address())));
        accepts("server.listen(0, host, -1 backlog, callback)", "below 1 means the default",
                e -> e.server().listen(0, Loopback.V4, -1, () -> { }));
        fails("server.listen(null path)", ARG_TYPE, e -> e.server().listen((Path) null));
        fails("server.listen(null options)", ARG_VALUE, e -> e.server().listen((ListenOptions) null));
        fails("server.listen(null handle)", ARG_VALUE, e -> e.server().listen((ServerSocketChannel) null));
        fails("server.listen(unbound handle)", ARG_VALUE, e -> {
            try (ServerSocketChannel ch = ServerSocketChannel.open()) {
                e.server().listen(ch);
            }
        });
        fails("server.listen(non-blocking handle)", ARG_VALUE, e -> {
            try (ServerSocketChannel ch = ServerSocketChannel.open()) {
                ch.bind(new InetSocketAddress(Loopback.V4, 0)).configureBlocking(false);
                e.server().listen(ch);
            }
        });
        fails("server.listen while listening", NetException.ERR_SERVER_ALREADY_LISTEN,
                e -> e.listening().listen(0, Loopback.V4));
        emits("server.listen on a busy port", NetException.EADDRINUSE, "Node: async EADDRINUSE",
                e -> e.server().listen(e.listening().address().port(), Loopback.V4));
        emits("server.listen on a host that does not resolve", NetException.ENOTFOUND, "Node: getaddrinfo, async",
                e -> e.server().listen(0, "no-such-host.invalid"));
        emits("server.listen on a Unix path that is too long", NetException.EINVAL, "current Node: EINVAL",
                e -> e.server().listen(e.path("x".repeat(120))));
        accepts("server.close when not listening", "the callback gets ERR_SERVER_NOT_RUNNING; CLOSE still comes",
                e -> e.server().close());
        accepts("server.close twice", "the second only adds its callback", e -> e.listening().close().close());
        fails("server.maxConnections(-1)", RANGE, e -> e.server().maxConnections(-1));
        fails("server.maxConnections(MIN_VALUE)", RANGE, e -> e.server().maxConnections(Integer.MIN_VALUE));
        accepts("server.maxConnections(0)", "drops every connection (Node 21+)", e -> e.server().maxConnections(0));
        accepts("server.ref/unref when not listening", "remembered for the next listen",
                e -> e.server().unref().ref());
        accepts("server.address() when not listening", "null, as Node",
                e -> assertEquals(null, e.server().address()));
        fails("server.on(null event)", ARG_TYPE, e -> e.server().on(null, (Listener) () -> { }));
        fails("server.when(null)", ARG_TYPE, e -> e.server().when(null));
        accepts("server.off(event, null)", "nothing registered as null: no-op (Node throws ERR_INVALID_ARG_TYPE)",
                e -> e.server().off(Server.LISTENING, null));
    }

    static Stream<Named<Case>> cases() {
        return CASES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bad_input_gets_its_stated_outcome(Case c) {
        Outcome outcome = c.outcome();
        if (outcome.code().isEmpty() || outcome.code().startsWith("error ")) {
            assertTimeoutPreemptively(LIMIT, () -> c.call().run(env));
            if (!outcome.code().isEmpty()) {
                String code = outcome.code().substring("error ".length());
                EventLog.waiting().until(() -> !env.errors.isEmpty());
                assertEquals(code, EventLog.code(env.errors.get(0)), env.errors::toString);
            }
            return;
        }
        Throwable thrown = assertThrows(Throwable.class,
                () -> assertTimeoutPreemptively(LIMIT, () -> c.call().run(env)));
        String code = thrown instanceof NetException ne ? ne.code() : thrown.getClass().getSimpleName();
        assertEquals(outcome.code(), code, () -> String.valueOf(thrown));
    }
}
