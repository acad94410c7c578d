/**
 * loomnet's public API: Node.js's {@code net} module for Java, with no implementation inside.
 *
 * <p>Add {@code dev.loomnet:net-loom} (module {@code dev.loomnet.loom}) to the class path or module path to
 * get the virtual-thread implementation; {@link dev.loomnet.net.Net} finds it with {@link java.util.ServiceLoader}.
 */
// "module": the qualified export names the implementation module, which net-api is compiled without
@SuppressWarnings("module")
module dev.loomnet.net {
    requires transitive org.jspecify;

    exports dev.loomnet.net;
    exports dev.loomnet.net.spi;
    exports dev.loomnet.net.internal to dev.loomnet.loom;

    uses dev.loomnet.net.spi.NetProvider;
}
