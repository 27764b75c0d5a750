package oi.report;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The traffic counters of one forwarding rule, kept by its listener across reloads and read by
 * {@code /metrics}, {@code /status} and SIGUSR1. Updated from session threads without locks.
 *
 * <p>They change a few times per connection, not per byte, so they are one array of atomics (and
 * one per histogram) rather than an adder each: a port range has a set per port.
 */
public final class RuleStats {
    private static final double[] CONNECT_BOUNDS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
    private static final double[] DURATION_BOUNDS = {0.001, 0.01, 0.1, 1, 10, 60, 600, 3600};
    private static final int ACTIVE = 0;
    private static final int TOTAL = 1;
    private static final int BYTES_IN = 2;
    private static final int BYTES_OUT = 3;
    private static final int THROTTLED_NANOS = 4;
    private static final int OUTCOMES = 5; // then one count per outcome, in its order

    private final AtomicLongArray counts = new AtomicLongArray(OUTCOMES + Outcome.values().length);
    private final Histogram connectTime = new Histogram(CONNECT_BOUNDS);
    private final Histogram duration = new Histogram(DURATION_BOUNDS);

    /** A client was accepted and its session starts. */
    public void opened() {
        counts.incrementAndGet(ACTIVE);
        counts.incrementAndGet(TOTAL);
    }

    /** The backend answered the connect after {@code nanos}. */
    public void connected(long nanos) {
        connectTime.record(nanos);
    }

    /** A session counted as {@link #opened} ended: its bytes, outcome and duration. */
    public void ended(ConnectionRecord record) {
        counts.decrementAndGet(ACTIVE);
        count(record);
    }

    /** A client was refused before any session started: its outcome and duration, never active. */
    public void refused(ConnectionRecord record) {
        count(record);
    }

    private void count(ConnectionRecord record) {
        counts.addAndGet(BYTES_IN, record.bytesIn());
        counts.addAndGet(BYTES_OUT, record.bytesOut());
        counts.incrementAndGet(OUTCOMES + record.outcome().ordinal());
        duration.record(record.duration().toNanos());
    }

    /** A pump of this rule waited {@code nanos} for its {@code rate=} or {@code rulerate=}. */
    public void throttled(long nanos) {
        counts.addAndGet(THROTTLED_NANOS, nanos);
    }

    /** Seconds the rule's pumps have spent waiting for their bandwidth limits, summed over pumps. */
    public double throttledSeconds() {
        return counts.get(THROTTLED_NANOS) / 1e9;
    }

    /** Sessions running now. */
    public long active() {
        return counts.get(ACTIVE);
    }

    /** Sessions started since the listener opened. */
    public long total() {
        return counts.get(TOTAL);
    }

    /** Bytes received from clients. */
    public long bytesIn() {
        return counts.get(BYTES_IN);
    }

    /** Bytes sent to clients. */
    public long bytesOut() {
        return counts.get(BYTES_OUT);
    }

    /** How many sessions or refusals ended with this outcome. */
    public long outcomes(Outcome outcome) {
        return counts.get(OUTCOMES + outcome.ordinal());
    }

    /** Appends the backend connect-time histogram in Prometheus text. */
    public void appendConnectTime(StringBuilder out, String name, String labels) {
        connectTime.appendTo(out, name, labels);
    }

    /** Appends the connection-duration histogram in Prometheus text. */
    public void appendDuration(StringBuilder out, String name, String labels) {
        duration.appendTo(out, name, labels);
    }
}
