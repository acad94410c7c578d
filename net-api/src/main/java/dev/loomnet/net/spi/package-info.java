/**
 * The service-provider interface an implementation of loomnet supplies; applications never call it.
 */
@NullMarked
package dev.loomnet.net.spi;

import org.jspecify.annotations.NullMarked;
