package dev.loomnet.loom;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The facts of Node's {@code net} behaviour that a white-box test checks: the twin of net-tests'
 * {@code dev.loomnet.tests.Catalog}, which this module cannot see. net-tests' {@code ConformanceTest} reads both by
 * their simple name when it builds docs/conformance.md.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Catalog {

    /** The fact numbers of net-tests' {@code conformance/catalog.tsv}. */
    int[] value();
}
