/**
 * loomnet's implementation: one virtual thread per connection running blocking {@code SocketChannel} I/O,
 * adapted to Node's events. Applications do not use this module directly; they call
 * {@link dev.loomnet.net.Net}, which finds the provider declared here.
 */
module dev.loomnet.loom {
    requires transitive dev.loomnet.net;
    requires jdk.net;

    provides dev.loomnet.net.spi.NetProvider with dev.loomnet.loom.LoomNetProvider;
}
