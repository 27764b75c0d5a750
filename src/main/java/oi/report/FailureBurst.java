package oi.report;

import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/**
 * A run of the same failure — accept or receive errors, an exhausted buffer budget — logged
 * once when it starts and once when it is over, instead of once per failure. A burst is over
 * only after a quiet second: a single success between failures is no recovery. Safe to use
 * from many threads.
 */
public final class FailureBurst {
    private static final long QUIET_NANOS = 1_000_000_000L;

    private final String what;
    private final String retry;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private volatile long lastFailureNanos;

    /**
     * A burst of failures of {@code what}, e.g. "accept on 0.0.0.0:80".
     *
     * @param retry what happens meanwhile, for the first line, e.g. "retrying every 100 ms"
     */
    public FailureBurst(String what, String retry) {
        this.what = what;
        this.retry = retry;
    }

    /** Counts a failure, and logs it when it starts a burst. */
    public void failed(String reason) {
        lastFailureNanos = System.nanoTime();
        total.incrementAndGet();
        if (failures.getAndIncrement() == 0) {
            Logger.warn("{} failed: {}; {}", what, reason, retry);
        }
    }

    /** Notes a success, which ends a burst once no failure came for a second. */
    public void succeeded() {
        long seen = failures.get();
        if (seen > 0 && System.nanoTime() - lastFailureNanos > QUIET_NANOS && failures.compareAndSet(seen, 0)) {
            Logger.info("{} works again after {} failures", what, seen);
        }
    }

    /** Failures counted since the start, for {@code /metrics}. */
    public long total() {
        return total.get();
    }

    /** Sleeps between retries, so that a lasting failure never spins. */
    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
