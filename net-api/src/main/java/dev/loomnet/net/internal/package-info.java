/**
 * Code that net-api shares with loomnet's implementation and nobody else: exported to {@code dev.loomnet.loom}
 * only. Not API.
 */
@NullMarked
package dev.loomnet.net.internal;

import org.jspecify.annotations.NullMarked;
