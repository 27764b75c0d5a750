package oi.report;

import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus-style histogram with fixed upper bounds in seconds: cheap to record from many
 * threads at once, read only when scraped.
 */
public final class Histogram {
    private final double[] bounds;
    private final LongAdder[] counts;
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    /** A histogram with the given bucket upper bounds, in seconds, ascending. */
    public Histogram(double... bounds) {
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** Records one observation. */
    public void record(long nanos) {
        double seconds = nanos / 1e9;
        for (int i = 0; i < bounds.length; i++) {
            if (seconds <= bounds[i]) {
                counts[i].increment();
                break;
            }
        }
        count.increment();
        sumNanos.add(nanos);
    }

    /** Appends the {@code _bucket}, {@code _sum} and {@code _count} lines of this histogram. */
    public void appendTo(StringBuilder out, String name, String labels) {
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts[i].sum();
            out.append(name).append("_bucket{").append(labels).append(",le=\"").append(bounds[i]).append("\"} ")
                    .append(cumulative).append('\n');
        }
        out.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(count.sum()).append('\n');
        out.append(name).append("_sum{").append(labels).append("} ").append(sumNanos.sum() / 1e9).append('\n');
        out.append(name).append("_count{").append(labels).append("} ").append(count.sum()).append('\n');
    }

    /** Observations so far. */
    public long count() {
        return count.sum();
    }
}
