package dev.loomnet.soak;

import dev.loomnet.net.Net;
import dev.loomnet.net.NetException;
import dev.loomnet.net.Socket;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client connection of a soak scenario, from connect to {@code CLOSE}, with what it checks: an echo or a
 * pipe returns the very bytes sent (count and SHA-256), a half-closed client gets the SHA-256 and count of what
 * it sent, a reset leaves nothing behind, an idle client is ended by the server's timeout. Run it on a thread
 * of its own: {@link #run} blocks until the socket closed.
 */
final class SoakClient {

    /** The longest one connection may take, however big its payload. */
    static final long LIMIT_SECONDS = 120;

    private final int port;
    private final SoakServer server;
    private final byte mode;
    private final Tally tally;
    private final SplittableRandom random;
    private final Socket socket = Net.socket();
    private final CompletableFuture<Boolean> closed = new CompletableFuture<>();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final AtomicBoolean connected = new AtomicBoolean();
    private final MessageDigest sent = Soak.sha256();
    private final MessageDigest received = Soak.sha256();
    private final ByteArrayOutputStream answer = new ByteArrayOutputStream();
    private long size;
    private long sentCount;
    private long receivedCount;

    SoakClient(SoakServer server, int port, byte mode, Tally tally, long seed) {
        this.server = server;
        this.port = port;
        this.mode = mode;
        this.tally = tally;
        this.random = new SplittableRandom(seed);
    }

    static String scenario(byte mode) {
        return switch (mode) {
            case SoakServer.ECHO -> "echo";
            case SoakServer.PIPE -> "pipe";
            case SoakServer.HALF_CLOSE -> "half-close";
            case SoakServer.RESET -> "reset";
            case SoakServer.TIMEOUT -> "timeout";
            default -> "mode " + mode;
        };
    }

    /**
     * Runs the connection to its end and tallies it.
     *
     * @return false if the connect was refused (the server was between a close and its re-listen): try again
     */
    boolean run() throws Exception {
        int epoch = server.epoch();
        size = payloadSize();
        socket.on(Socket.DATA, this::receive)
                .on(Socket.ERROR, error::set)
                .on(Socket.CLOSE, closed::complete);
        socket.connect(port, SoakServer.HOST, this::connected);
        try {
            closed.get(LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            tally.unexpected("client", scenario(mode) + " not closed after " + LIMIT_SECONDS + " s");
            socket.destroy();
            closed.get(LIMIT_SECONDS, TimeUnit.SECONDS);
            return true;
        }
        Throwable failure = error.get();
        if (failure == null) {
            tally.connection(scenario(mode));
            check();
            return true;
        }
        String code = Tally.code(failure);
        if (code.equals(NetException.ECONNREFUSED) && !connected.get()) {
            tally.expected("client", failure);            // between the server's close and its listen
            return false;
        }
        if (code.equals(NetException.ECONNRESET) && server.relistenedSince(epoch)) {
            tally.expected("client", failure);            // in the backlog of the listening socket that closed
            return false;
        }
        tally.connection(scenario(mode));
        tally.unexpected("client", scenario(mode) + " " + code + " (" + failure.getMessage() + ")");
        return true;
    }

    private long payloadSize() {
        int kind = random.nextInt(100);
        if (kind < 70) {
            return random.nextInt(1, 64 * 1024);
        }
        return kind < 95 ? random.nextInt(64 * 1024, 1024 * 1024) : random.nextInt(1024 * 1024, 8 * 1024 * 1024);
    }

    private void connected() {
        connected.set(true);
        socket.write(new byte[] {mode});
        switch (mode) {
            case SoakServer.TIMEOUT -> { }                // wait for the server's timeout
            case SoakServer.RESET -> {
                socket.write(chunk(random.nextInt(1, 256 * 1024)));
                socket.resetAndDestroy();
            }
            default -> pump();
        }
    }

    /** Writes the payload, waiting for DRAIN whenever the queue is full, then ends. */
    private void pump() {
        while (sentCount < size) {
            byte[] chunk = chunk((int) Math.min(size - sentCount, random.nextInt(1, 64 * 1024)));
            sent.update(chunk);
            sentCount += chunk.length;
            if (!socket.write(chunk)) {
                socket.onceDrain(this::pump);
                return;
            }
        }
        socket.end();
    }

    private byte[] chunk(int length) {
        byte[] chunk = new byte[length];
        random.nextBytes(chunk);
        return chunk;
    }

    private void receive(byte[] chunk) {
        if (mode == SoakServer.ECHO || mode == SoakServer.PIPE) {
            received.update(chunk);
            receivedCount += chunk.length;
        } else {
            answer.writeBytes(chunk);
        }
    }

    private void check() {
        byte[] got = answer.toByteArray();
        switch (mode) {
            case SoakServer.ECHO, SoakServer.PIPE -> {
                if (receivedCount == sentCount && Arrays.equals(sent.digest(), received.digest())) {
                    tally.verified(sentCount);
                } else {
                    tally.lost(scenario(mode), Math.max(1, sentCount - receivedCount));
                }
            }
            case SoakServer.HALF_CLOSE -> {
                byte[] expected = ByteBuffer.allocate(40).put(sent.digest()).putLong(sentCount).array();
                if (Arrays.equals(expected, got)) {
                    tally.verified(sentCount);
                } else {
                    tally.lost(scenario(mode), Math.max(1, sentCount));
                }
            }
            case SoakServer.TIMEOUT -> {
                if (!new String(got, StandardCharsets.UTF_8).equals("timeout")) {
                    tally.unexpected("client", "timeout answered " + got.length + " bytes");
                }
            }
            default -> { }                                // a reset: nothing to check but that it closed
        }
    }
}
