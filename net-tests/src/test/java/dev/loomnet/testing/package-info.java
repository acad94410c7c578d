/**
 * Test infrastructure shared by every test class: the leak and uncaught-exception guard
 * ({@link dev.loomnet.testing.LoomnetExtension}) and small helpers.
 */
@NullMarked
package dev.loomnet.testing;

import org.jspecify.annotations.NullMarked;
