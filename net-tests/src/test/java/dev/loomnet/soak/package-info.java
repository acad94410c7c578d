/**
 * The soak run ({@code ./mvnw -B -P soak -pl net-tests -am verify}): mixed load against one server for a set
 * time, checked for lost bytes and leaked descriptors and threads. Not part of the default build's tests; see
 * {@link dev.loomnet.soak.Soak}.
 */
@NullMarked
package dev.loomnet.soak;

import org.jspecify.annotations.NullMarked;
