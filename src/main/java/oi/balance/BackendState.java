package oi.balance;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import oi.rules.Endpoint;
import oi.rules.ForwardRule.Backend;
import oi.rules.RuleOptions.Health;
import org.tinylog.Logger;

/**
 * One backend of a rule as it is now: its live connections, its failures and whether it is up.
 * A reload keeps it while the backend's address stays in the rule, so its counters go on.
 *
 * <p>Updated by the connections and the health probe of its rule from their own threads, with
 * atomics only; the one field that is not ({@link #currentWeight}) belongs to round robin, under
 * the rule's lock.
 */
public final class BackendState {
    /** Good probes in a row that bring a backend marked down back. */
    static final int PROBES_TO_COME_UP = 2;

    private final String rule;
    private volatile Backend backend;
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder failures = new LongAdder();
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private final AtomicInteger goodProbesInARow = new AtomicInteger();
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicBoolean tried = new AtomicBoolean();
    private volatile long retryAtNanos;
    int currentWeight;

    BackendState(String rule, Backend backend) {
        this.rule = rule;
        this.backend = backend;
    }

    /** Where it is. */
    public Endpoint endpoint() {
        return backend.endpoint();
    }

    /** Its weight and whether it is a backup, which a reload may change. */
    public Backend backend() {
        return backend;
    }

    void update(Backend reloaded) {
        backend = reloaded;
    }

    /** Whether it takes new clients as one of the living: {@code /status} says {@code up} or {@code down}. */
    public boolean up() {
        return up.get();
    }

    /** Connections it serves now. */
    public int active() {
        return active.get();
    }

    /** Connects to it that failed, since it joined the rule. */
    public long failures() {
        return failures.sum();
    }

    /** The connection it served has ended. */
    public void release() {
        active.decrementAndGet();
    }

    /** Its load for {@code leastconn} and {@code random}: live connections per unit of weight, compared without dividing. */
    static int compareLoad(BackendState a, BackendState b) {
        return Long.compare((long) a.active() * b.backend.weight(), (long) b.active() * a.backend.weight());
    }

    /**
     * Whether a client may try this backend that is down, now that its time out is over: only one
     * at a time, so a dead backend costs one client's attempt per {@code failtimeout}, not a storm.
     */
    boolean claimTrial(long nowNanos) {
        return nowNanos - retryAtNanos >= 0 && tried.compareAndSet(false, true);
    }

    /** A client's connect succeeded: it serves one more connection, and it is up, whatever it was. */
    void connected() {
        active.incrementAndGet();
        // Every connection of the rule passes here: read first, so a healthy backend's line is not written to each time.
        if (failuresInARow.get() != 0) {
            failuresInARow.set(0);
        }
        if (tried.get()) {
            tried.set(false);
        }
        if (!up.get() && up.compareAndSet(false, true)) {
            Logger.info("backend {} of {} is up again: a connect succeeded", endpoint(), rule);
        }
    }

    /** A client's connect failed: {@code maxfails} in a row mark it down for {@code failtimeout}. */
    void failed(Health health, String why) {
        failures.increment();
        int inARow = failuresInARow.incrementAndGet();
        retryAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(health.failTimeoutSeconds()); // a failed trial waits again
        tried.set(false);
        if (inARow >= health.maxFails()) {
            markDown(inARow + " connects failed in a row, the last: " + why);
        }
    }

    /** An active probe's result: {@code maxfails} failures in a row mark it down, {@link #PROBES_TO_COME_UP} successes up. */
    void probed(boolean reached, Health health, String why) {
        if (reached) {
            failuresInARow.set(0);
            if (!up() && goodProbesInARow.incrementAndGet() >= PROBES_TO_COME_UP && up.compareAndSet(false, true)) {
                Logger.info("backend {} of {} is up again: {} probes succeeded", endpoint(), rule, PROBES_TO_COME_UP);
            }
            return;
        }
        goodProbesInARow.set(0);
        int inARow = failuresInARow.incrementAndGet();
        if (inARow >= health.maxFails()) {
            markDown(inARow + " probes failed in a row, the last: " + why);
        }
    }

    /** Whether it is down and its last probe succeeded, so the next probe should come soon. */
    boolean recovering() {
        return !up() && goodProbesInARow.get() > 0;
    }

    private void markDown(String why) {
        if (up.compareAndSet(true, false)) {
            goodProbesInARow.set(0);
            Logger.info("backend {} of {} is down: {}", endpoint(), rule, why);
        }
    }

    @Override
    public String toString() {
        return backend + (up() ? "" : " (down)");
    }
}
