package oi.report;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The traffic counters of one forwarding rule, kept by its listener across reloads and read by
 * {@code /metrics}, {@code /status} and SIGUSR1. Updated from session threads without locks.
 */
public final class RuleStats {
    private final LongAdder active = new LongAdder();
    private final LongAdder total = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder throttledNanos = new LongAdder();
    private static final double[] CONNECT_BOUNDS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
    private static final double[] DURATION_BOUNDS = {0.001, 0.01, 0.1, 1, 10, 60, 600, 3600};
    // Counted once per connection, so one array of atomics (not an adder each): a port range has thousands of these.
    private final AtomicLongArray outcomes = new AtomicLongArray(Outcome.values().length);
    private final Histogram connectTime = new Histogram(CONNECT_BOUNDS);
    private final Histogram duration = new Histogram(DURATION_BOUNDS);

    /** A client was accepted and its session starts. */
    public void opened() {
        active.increment();
        total.increment();
    }

    /** The backend answered the connect after {@code nanos}. */
    public void connected(long nanos) {
        connectTime.record(nanos);
    }

    /** A session counted as {@link #opened} ended: its bytes, outcome and duration. */
    public void ended(ConnectionRecord record) {
        active.decrement();
        count(record);
    }

    /** A client was refused before any session started: its outcome and duration, never active. */
    public void refused(ConnectionRecord record) {
        count(record);
    }

    private void count(ConnectionRecord record) {
        bytesIn.add(record.bytesIn());
        bytesOut.add(record.bytesOut());
        outcomes.incrementAndGet(record.outcome().ordinal());
        duration.record(record.duration().toNanos());
    }

    /** A pump of this rule waited {@code nanos} for its {@code rate=} or {@code rulerate=}. */
    public void throttled(long nanos) {
        throttledNanos.add(nanos);
    }

    /** Seconds the rule's pumps have spent waiting for their bandwidth limits, summed over pumps. */
    public double throttledSeconds() {
        return throttledNanos.sum() / 1e9;
    }

    /** Sessions running now. */
    public long active() {
        return active.sum();
    }

    /** Sessions started since the listener opened. */
    public long total() {
        return total.sum();
    }

    /** Bytes received from clients. */
    public long bytesIn() {
        return bytesIn.sum();
    }

    /** Bytes sent to clients. */
    public long bytesOut() {
        return bytesOut.sum();
    }

    /** How many sessions or refusals ended with this outcome. */
    public long outcomes(Outcome outcome) {
        return outcomes.get(outcome.ordinal());
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
