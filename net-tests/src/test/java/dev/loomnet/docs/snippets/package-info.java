/**
 * The sources of the Java examples in README.md and docs/: each example is a region between
 * {@code // tag::NAME[]} and {@code // end::NAME[]}, compiled here and compared with the docs by
 * {@code dev.loomnet.docs.SnippetsTest}.
 */
package dev.loomnet.docs.snippets;
