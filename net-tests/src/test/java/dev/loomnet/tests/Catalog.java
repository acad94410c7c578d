package dev.loomnet.tests;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The facts of Node's {@code net} behaviour that a test checks, by their numbers in
 * {@code src/test/resources/conformance/catalog.tsv}. {@code ConformanceTest} builds docs/conformance.md from these
 * annotations, so the page always names the tests that exist. (net-loom's white-box tests carry a package-private
 * twin of this annotation, {@code dev.loomnet.loom.Catalog}; the page is built from both.)
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Catalog {

    /**
     * The fact numbers.
     *
     * @return the numbers, at least one
     */
    int[] value();
}
