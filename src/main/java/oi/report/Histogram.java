package oi.report;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A Prometheus-style histogram with fixed upper bounds in seconds: recorded once per connection
 * from any thread, read only when scraped. Its counts are one array of atomics, so a rule's
 * histograms cost a few hundred bytes, which matters for a port range of thousands of rules.
 */
public final class Histogram {
    private final double[] bounds;
    private final AtomicLongArray counts; // one per bound, then the total count, then the sum in nanoseconds
    private final int total;

    /** A histogram with the given bucket upper bounds, in seconds, ascending; the array is kept, not copied. */
    public Histogram(double... bounds) {
        this.bounds = bounds;
        this.total = bounds.length;
        this.counts = new AtomicLongArray(bounds.length + 2);
    }

    /** Records one observation. */
    public void record(long nanos) {
        double seconds = nanos / 1e9;
        for (int i = 0; i < bounds.length; i++) {
            if (seconds <= bounds[i]) {
                counts.incrementAndGet(i);
                break;
            }
        }
        counts.incrementAndGet(total);
        counts.addAndGet(total + 1, nanos);
    }

    /** Appends the {@code _bucket}, {@code _sum} and {@code _count} lines of this histogram. */
    public void appendTo(StringBuilder out, String name, String labels) {
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts.get(i);
            out.append(name).append("_bucket{").append(labels).append(",le=\"").append(bounds[i]).append("\"} ")
                    .append(cumulative).append('\n');
        }
        out.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(count()).append('\n');
        out.append(name).append("_sum{").append(labels).append("} ").append(counts.get(total + 1) / 1e9).append('\n');
        out.append(name).append("_count{").append(labels).append("} ").append(count()).append('\n');
    }

    /** Observations so far. */
    public long count() {
        return counts.get(total);
    }
}
