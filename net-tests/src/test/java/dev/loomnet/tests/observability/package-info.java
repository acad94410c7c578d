/** loomnet's Flight Recorder events and log records, read back as an operator would. */
@NullMarked
package dev.loomnet.tests.observability;

import org.jspecify.annotations.NullMarked;
