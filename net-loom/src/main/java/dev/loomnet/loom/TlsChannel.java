package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * One TLS connection: an {@link SSLEngine} over a connected, blocking {@link SocketChannel} (TCP or Unix domain),
 * with Node's TLS semantics. It is what a TLS socket's connection plugs in between its channel and its read loop
 * and writer.
 *
 * <p><b>Threads.</b> Three roles, each held by one thread at a time:
 * <ul>
 *   <li>the <em>handshake</em>: {@link #handshake()} runs the whole initial handshake with blocking I/O on the
 *       calling thread (the connection's thread, before its read loop), reading and writing itself; nothing
 *       else may be called until it returns;</li>
 *   <li>the <em>reader</em>: {@link #read} blocks reading records, unwraps, returns plaintext;</li>
 *   <li>the <em>writer</em>: {@link #write}, {@link #flush} and {@link #shutdownOutput} wrap and write with
 *       blocking writes (the owner's writer thread, or a caller writing inline; one at a time).</li>
 * </ul>
 * The reader and the writer run at the same time. When the reader's unwrap leaves the engine needing to send
 * something (a KeyUpdate answer, TLS 1.2's {@code close_notify} reply), the reader wraps it at once without
 * touching the channel and, if no writer is inside, calls {@code flushNeeded}: the owner must then have
 * {@link #flush} called on a writer thread (see {@link TlsOutbound} for why the reader never writes).
 *
 * <p><b>Node's semantics.</b> The peer's {@code close_notify} makes {@link #read} return -1 (Node's
 * {@code end}), and so does an EOF without it. {@link #shutdownOutput} is Node's {@code end()}: {@code close_notify},
 * then the FIN; the peer may go on sending, and after the peer's {@code close_notify} this side may go on
 * writing (Node's {@code allowHalfOpen}). TLS 1.3 allows that and the JDK does it. For TLS 1.2 the JDK answers
 * the peer's {@code close_notify} with its own and closes this side's output, so the alert record is not given
 * to the engine: {@link TlsInbound} reads it as the end of the stream (a fatal alert after a TLS 1.2 handshake
 * therefore reads as {@code END}, not as its error). A TLS 1.2 renegotiation by the peer is refused: {@link #read} throws
 * {@code ERR_TLS_RENEGOTIATION_DISABLED} on seeing a handshake record after the handshake (the JDK would go along
 * with it; its only switch, {@code jdk.tls.rejectClientInitiatedRenegotiation}, is global and server-only).
 * TLS 1.3 has no renegotiation; its post-handshake messages (session tickets, KeyUpdate) are handled inside
 * {@link #read}.
 */
final class TlsChannel {

    /** Where the connection is; written by the handshake thread, read by any. */
    enum Phase {
        /** Made, handshake not started. */
        NEW,
        HANDSHAKING,
        /** Handshake done: reads and writes carry application data. */
        OPEN,
        /** The handshake failed: the owner closes the channel. */
        FAILED
    }

    /** Steps after which a handshake that still has not finished is a bug, not a slow peer. */
    private static final int MAX_HANDSHAKE_STEPS = 10_000;

    private final TlsContext context;
    private final SSLEngine engine;
    private final SSLContext engineContext;
    private final SocketChannel channel;
    private final boolean client;
    private final @Nullable String host;
    private final TlsOutbound out;
    private final TlsInbound in;
    private volatile Phase phase = Phase.NEW;
    private volatile @Nullable TlsInfo info;
    /** Counted down when the handshake ended, either way: what another reader waits for. */
    private final java.util.concurrent.CountDownLatch settled = new java.util.concurrent.CountDownLatch(1);

    private TlsChannel(TlsContext context, SSLEngine engine, SSLContext engineContext, SocketChannel channel,
                       @Nullable String host, Runnable flushNeeded) {
        this.context = context;
        this.engine = engine;
        this.engineContext = engineContext;
        this.channel = channel;
        this.client = engine.getUseClientMode();
        this.host = host;
        this.out = new TlsOutbound(engine, channel, flushNeeded);
        this.in = new TlsInbound(engine, channel, out, flushNeeded);
    }

    /**
     * The client side of a connection to {@code host}:{@code port}.
     *
     * @param flushNeeded called by the reader when it wrapped bytes that no writer is about to send: the owner
     *                    must have {@link #flush} called on a writer thread (never called under a lock of this
     *                    class; must not block)
     */
    static TlsChannel client(TlsContext context, SocketChannel channel, String host, int port, Runnable flushNeeded) {
        TlsResumption resume = context.config().session;
        SSLContext from = resume != null ? resume.context() : context.sslContext();
        return new TlsChannel(context, context.clientEngine(host, port), from, channel, host, flushNeeded);
    }

    /** The server side of an accepted connection; {@code flushNeeded} as for {@link #client}. */
    static TlsChannel server(TlsContext context, SocketChannel channel, Runnable flushNeeded) {
        return new TlsChannel(context, context.serverEngine(), context.sslContext(), channel, null, flushNeeded);
    }

    /** Before {@link #handshake}: the channel was taken over from a plain socket, whose read loop hands over. */
    void takenFrom(TakeOver from) {
        in.takenFrom(from);
    }

    /**
     * Runs the initial handshake on the calling thread, within the context's {@code handshakeTimeout} (enforced
     * by closing the channel), then Node's checks: the chain verdict, and on clients the host name
     * ({@code checkServerIdentity}, skipped for a resumed session as Node does).
     *
     * @throws NetException Node's error: {@code ERR_TLS_HANDSHAKE_TIMEOUT}, {@code ECONNRESET} (the peer left),
     *                      a certificate code, {@code ERR_TLS_CERT_ALTNAME_INVALID}, or an {@code ERR_SSL_*}
     *                      code; the channel is then the owner's to close
     */
    void handshake() {
        try {
            handshakeOnce();
        } finally {
            if (phase != Phase.OPEN) {
                phase = Phase.FAILED;
            }
            settled.countDown();
        }
    }

    /**
     * Waits until the handshake that another thread runs ended, for a reader other than the handshake's thread
     * (the input stream of a socket whose {@code CONNECT} listener reads).
     *
     * @throws IOException the handshake failed (the socket reports why)
     */
    void awaitHandshake() throws IOException {
        if (phase == Phase.OPEN) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                settled.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (phase != Phase.OPEN) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    private void handshakeOnce() {
        phase = Phase.HANDSHAKING;
        long start = System.currentTimeMillis();
        ChannelDeadline deadline = new ChannelDeadline(channel);
        // Node's handshakeTimeout is a server option: a client waits as long as its socket's own timeout says
        long timeout = client ? 0 : Timers.toNanos(context.config().handshakeTimeout);
        if (timeout > 0) {
            Timers.arm(deadline, timeout);
        }
        try {
            engine.beginHandshake();
            drive();
        } catch (IOException | RuntimeException e) {
            phase = Phase.FAILED;
            if (deadline.fired()) {
                throw TlsErrors.handshakeTimeout();
            }
            out.flushQuietly();                           // the alert the engine queued, for the peer
            if (e instanceof EOFException || (e instanceof IOException io && resetByPeer(io))) {
                throw TlsErrors.disconnected(client, (IOException) e);
            }
            throw TlsErrors.of(e, in.firstBytes());
        } finally {
            Timers.cancel(deadline);
        }
        if (deadline.fired()) {
            phase = Phase.FAILED;
            throw TlsErrors.handshakeTimeout();
        }
        finish(start);
    }

    private static boolean resetByPeer(IOException e) {
        return NetException.ECONNRESET.equals(Errors.code(e)) || NetException.EPIPE.equals(Errors.code(e));
    }

    /** Steps the engine until it is no longer handshaking. */
    private void drive() throws IOException {
        HandshakeStatus s = engine.getHandshakeStatus();
        for (int step = 0; step < MAX_HANDSHAKE_STEPS; step++) {
            s = runTasks(engine, s);
            switch (s) {
                case NEED_WRAP -> {
                    out.flush();
                    s = engine.getHandshakeStatus();
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> s = in.unwrapHandshake();
                case FINISHED -> s = engine.getHandshakeStatus();   // maybe NEED_WRAP: a TLS 1.3 server's tickets
                case NOT_HANDSHAKING -> {
                    return;
                }
                default -> throw new IllegalStateException("handshake status " + s);
            }
        }
        throw new IllegalStateException("the TLS handshake made no progress in " + MAX_HANDSHAKE_STEPS + " steps");
    }

    /** After the engine finished: Node's verdicts, the info snapshot, renegotiation refusal. */
    private void finish(long start) {
        SSLSession session = engine.getSession();
        boolean reused = TlsInfo.reused(session, start);
        List<X509Certificate> chain = TlsInfo.peerChain(session);
        TlsConfig config = context.config();
        NetException error = null;
        boolean authorized;
        Object recorded = session.getValue(VerdictTrustManager.VERDICT);
        if (recorded instanceof VerdictTrustManager.Verdict verdict) {
            error = verdict.error();
        } else if (chain.isEmpty() && (client || config.requestCert)) {
            error = new NetException("UNABLE_TO_GET_ISSUER_CERT", "unable to get issuer certificate");
        } else if (reused && (client || config.requestCert)) {
            error = context.recheck(chain, client);
        }
        String sent = null;
        if (client) {
            String h = host == null ? "" : host;
            sent = context.sniName(h);
            if (error == null && !reused && !chain.isEmpty()) {
                error = config.checkServerIdentity.check(context.identityHost(h), chain);
                if (error != null && config.rejectUnauthorized) {
                    phase = Phase.FAILED;
                    throw error;
                }
            }
            authorized = error == null;
        } else {
            authorized = config.requestCert && error == null;
        }
        info = TlsInfo.of(engine, start, sent, authorized, error);
        if (!"TLSv1.3".equals(session.getProtocol())) {
            in.afterTls12Handshake();
        }
        phase = Phase.OPEN;
    }

    /**
     * Reader role: blocks until plaintext arrives, and copies it into {@code dst}.
     *
     * @return the bytes read, or -1 at Node's {@code end} ({@code close_notify} or EOF)
     * @throws NetException {@code ERR_TLS_RENEGOTIATION_DISABLED}, or an {@code ERR_SSL_*} code for a bad record
     * @throws IOException  the channel's own failure (the owner maps it as for a plain socket)
     */
    int read(ByteBuffer dst) throws IOException {
        try {
            return in.read(dst);
        } catch (javax.net.ssl.SSLException e) {
            throw TlsErrors.of(e, null);
        }
    }

    /**
     * Writer role: wraps and writes all of {@code srcs}, blocking.
     *
     * @return the plaintext bytes consumed
     * @throws NetException {@code EPIPE} after this side's output closed, or an {@code ERR_SSL_*} code
     */
    long write(ByteBuffer[] srcs) throws IOException {
        try {
            return out.write(srcs);
        } catch (javax.net.ssl.SSLException e) {
            throw TlsErrors.of(e, null);
        }
    }

    /**
     * The connection's own thread, holding the writer role for one chunk: wraps and writes what the kernel takes
     * now, without blocking ({@link TlsOutbound#writeNow}).
     *
     * @return the plaintext bytes consumed
     * @throws NetException an {@code ERR_SSL_*} code
     */
    long writeNow(ByteBuffer src) throws IOException {
        try {
            return out.writeNow(src);
        } catch (javax.net.ssl.SSLException e) {
            throw TlsErrors.of(e, null);
        }
    }

    /** Writer role: sends what the reader wrapped (after {@code flushNeeded}). */
    void flush() throws IOException {
        write(new ByteBuffer[0]);
    }

    /** Writer role: Node's {@code end()}: {@code close_notify}, then the FIN. */
    void shutdownOutput() throws IOException {
        out.shutdownOutput();
    }

    /** Where the connection is. */
    Phase phase() {
        return phase;
    }

    /** What the handshake established. */
    TlsInfo info() {
        TlsInfo i = info;
        if (i == null) {
            throw new IllegalStateException("the handshake has not finished");
        }
        return i;
    }

    /** Whether the stream ended with the peer's {@code close_notify} rather than a bare EOF (reader role). */
    boolean closeNotified() {
        return in.closeNotified();
    }

    /** Node's {@code getSession()} for the client {@code session} option of a later connection. */
    TlsResumption resumption() {
        String peer = engine.getPeerHost();
        return new TlsResumption(engineContext, peer == null ? "" : peer, engine.getPeerPort(), engine.getSession());
    }

    /** The channel this connection runs on. */
    SocketChannel channel() {
        return channel;
    }

    /** The engine (for tests that drive it past this class, e.g. to renegotiate). */
    SSLEngine engine() {
        return engine;
    }

    /** Runs the engine's delegated tasks on the calling thread; returns the status after them. */
    static HandshakeStatus runTasks(SSLEngine engine, HandshakeStatus status) {
        HandshakeStatus s = status;
        while (s == HandshakeStatus.NEED_TASK) {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run();
            }
            s = engine.getHandshakeStatus();
        }
        return s;
    }
}
