/**
 * loomnet's implementation: one virtual thread per connection running blocking {@code SocketChannel} I/O,
 * adapted to Node's events. Applications do not use this module directly; they call
 * {@link dev.loomnet.net.Net}, which finds the provider declared here.
 *
 * <p>It reads {@code jdk.jfr} for its Flight Recorder event types: a module of every JDK and JRE image, which
 * {@code jlink} includes with this one. The events cost nothing while no recording enables them.
 */
module dev.loomnet.loom {
    requires transitive dev.loomnet.net;
    requires jdk.net;
    requires jdk.jfr;

    provides dev.loomnet.net.spi.NetProvider with dev.loomnet.loom.LoomNetProvider;
}
