package dev.loomnet.soak;

import dev.loomnet.net.NetException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/** What the soak run counted: connections by scenario, bytes verified and lost, errors by code. */
final class Tally {

    private final ConcurrentMap<String, LongAdder> connections = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> expected = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> unexpected = new ConcurrentHashMap<>();
    private final LongAdder verified = new LongAdder();
    private final LongAdder lost = new LongAdder();

    void connection(String scenario) {
        connections.computeIfAbsent(scenario, k -> new LongAdder()).increment();
    }

    void verified(long bytes) {
        verified.add(bytes);
    }

    /** Bytes a transfer sent that did not come back intact. */
    void lost(String scenario, long bytes) {
        lost.add(bytes);
        unexpected("client", scenario + " lost bytes");
    }

    /** An error the scenario provokes on purpose (a reset, a killed peer, a connect during a re-listen). */
    void expected(String side, Throwable error) {
        expected.computeIfAbsent(side + " " + code(error), k -> new LongAdder()).increment();
    }

    void unexpected(String side, Throwable error) {
        unexpected(side, code(error) + " (" + error.getMessage() + ")");
    }

    void unexpected(String side, String what) {
        unexpected.computeIfAbsent(side + " " + what, k -> new LongAdder()).increment();
    }

    static String code(Throwable error) {
        return error instanceof NetException ne ? ne.code() : error.getClass().getSimpleName();
    }

    long connections() {
        return connections.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long verified() {
        return verified.sum();
    }

    long lost() {
        return lost.sum();
    }

    boolean anyUnexpected() {
        return !unexpected.isEmpty();
    }

    Map<String, Long> byScenario() {
        return sorted(connections);
    }

    Map<String, Long> expectedErrors() {
        return sorted(expected);
    }

    Map<String, Long> unexpectedErrors() {
        return sorted(unexpected);
    }

    private static Map<String, Long> sorted(Map<String, LongAdder> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
