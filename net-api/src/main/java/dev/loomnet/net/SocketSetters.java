package dev.loomnet.net;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The setters of the socket-level options that {@link SocketOptions.Builder}, {@link ConnectOptions.Builder}
 * and {@link ServerOptions.Builder} share, in one place. Each returns the concrete builder, so calls chain.
 *
 * @param <B> the concrete builder
 */
abstract class SocketSetters<B extends SocketSetters<B>> {

    boolean allowHalfOpen;
    boolean noDelay;
    boolean keepAlive;
    Duration keepAliveInitialDelay = Duration.ZERO;
    int highWaterMark = SocketOptions.DEFAULT_HIGH_WATER_MARK;
    @Nullable BlockList blockList;

    SocketSetters() {
    }

    abstract B self();

    /**
     * Sets {@code allowHalfOpen}: the socket keeps its writable side open after the peer's end.
     *
     * @param value the value
     * @return this builder
     */
    public B allowHalfOpen(boolean value) {
        this.allowHalfOpen = value;
        return self();
    }

    /**
     * Sets {@code noDelay}: {@code TCP_NODELAY} once connected.
     *
     * @param value the value
     * @return this builder
     */
    public B noDelay(boolean value) {
        this.noDelay = value;
        return self();
    }

    /**
     * Sets {@code keepAlive}: {@code SO_KEEPALIVE} once connected.
     *
     * @param value the value
     * @return this builder
     */
    public B keepAlive(boolean value) {
        this.keepAlive = value;
        return self();
    }

    /**
     * Sets {@code keepAliveInitialDelay}. Only whole seconds are used; a negative delay is taken as
     * {@code Duration.ZERO} (the system's delay), as Node does, not rejected.
     *
     * @param value the delay, not {@code null}
     * @return this builder
     */
    public B keepAliveInitialDelay(Duration value) {
        this.keepAliveInitialDelay = Args.keepAliveInitialDelay(value);
        return self();
    }

    /**
     * Sets {@code highWaterMark}: the queued bytes above which {@code write} returns {@code false}.
     *
     * @param value bytes, not negative
     * @return this builder
     */
    public B highWaterMark(int value) {
        this.highWaterMark = Args.highWaterMark(value);
        return self();
    }

    /**
     * Sets the {@code blockList}: the addresses a client does not connect to, or a server refuses.
     *
     * @param value the blocked addresses
     * @return this builder
     */
    public B blockList(BlockList value) {
        this.blockList = Args.notNull(value, "blockList");
        return self();
    }
}
