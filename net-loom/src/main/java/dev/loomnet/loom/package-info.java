/**
 * The virtual-thread implementation of loomnet. Everything but {@link dev.loomnet.loom.LoomNetProvider} is
 * package-private.
 *
 * <h2>Classes</h2>
 * A socket ({@code LoomSocket}: the {@code Socket} methods) has one current connection, a {@code Link}
 * (channel, addresses, counts, read-ahead), whose state machine is its {@code Lifecycle} and whose outgoing
 * bytes are an {@code Outbound} buffer moved by a {@code Writer}. {@code Connect} gives the socket a link
 * (connect, accept, adopt); the link's thread runs {@code ReadLoop} (a client's {@code Connector} first);
 * {@code Inbound} is the readable side across links (flow, pipes, {@code DATA}/{@code TEXT}/{@code END});
 * {@code Writes} holds Node's rules for writing and ending; {@code Closer} destroys and emits the close.
 * Events of one emitter go through its {@code EventQueue} to its {@code Listeners} ({@code Emitter}), with
 * {@code KeptEvents} for listeners added late. A server ({@code LoomServer}) binds through {@code Binding} and
 * accepts in an {@code AcceptLoop}. {@code Timers}, {@code Lifetime} and {@code DescriptorReserve} serve all.
 * {@code Jfr} commits the Flight Recorder events ({@code JfrEvents}) and {@code Log} writes the
 * {@code System.Logger} records, from hooks that run once per connection or server, never per read or write.
 *
 * <h2>Threads</h2>
 * Every thread loomnet starts is named {@code loomnet-...}:
 * <ul>
 *   <li>{@code loomnet-socket-N}: one virtual thread per connection: connects (a client), reads, and runs the
 *       socket's events inline while its queue is idle; it lives as long as the connection.</li>
 *   <li>{@code loomnet-events-N}, {@code loomnet-server-events-N}: a short-lived virtual thread that runs an
 *       emitter's queued events when nobody else does, and ends.</li>
 *   <li>{@code loomnet-writer-N}: a short-lived virtual thread that writes a socket's queued bytes, and ends
 *       when the queue is empty.</li>
 *   <li>{@code loomnet-accept-N}: one virtual thread per listening server.</li>
 *   <li>{@code loomnet-timer}: one daemon platform thread for every idle timeout and connect-attempt timeout.</li>
 *   <li>{@code loomnet-keepalive}: one non-daemon platform thread while a ref'd handle is open (the JVM stays
 *       alive, as Node's process does).</li>
 *   <li>{@code loomnet-unheard-errors} (a daemon platform thread, the {@code Cleaner}'s), and
 *       {@code loomnet-unheard-error} (short-lived): report an {@code ERROR} no listener received.</li>
 * </ul>
 *
 * <h2>Locks and their order</h2>
 * <ul>
 *   <li>A socket's {@code readLock}: one reader of the channel at a time (the read loop or the input stream).</li>
 *   <li>A socket's {@code lock}: its link's lifecycle and writer, the flow and the pipes, the connection thread's
 *       wait ({@code Inbound}'s condition) and a blocking writer's ({@code Writer}'s condition).</li>
 *   <li>A server's {@code lock}: its channel, generation and close rule.</li>
 *   <li>An emitter's {@code KeptEvents.order}: late registrations published with what they are owed, against an
 *       emission reading the registrations; held for a few array operations, it takes no other lock.</li>
 *   <li>Process-wide: {@code Timers}' lock, {@code Lifetime}'s, {@code DescriptorReserve}'s, and
 *       {@code UnheardError}'s (which only creates the cleaner).</li>
 * </ul>
 * The order is: a socket's {@code readLock}, then its {@code lock}; a server's {@code lock}; then the
 * process-wide ones, which take no other lock. Nothing blocks on I/O while holding a socket's or server's
 * lock (channel reads, writes and closes happen outside it), and <strong>no listener or callback ever runs
 * under a lock</strong>: they run only as tasks of an {@code EventQueue}, which holds none; code under a lock
 * posts them. The event queues and listener arrays are lock-free (compare-and-set).
 */
@NullMarked
package dev.loomnet.loom;

import org.jspecify.annotations.NullMarked;
