package oi.tcp;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import oi.rules.RuleOptions.Rates;

/**
 * A bandwidth limit ({@code rate=} of one connection, {@code rulerate=} of a rule), as turns on a
 * virtual clock: each batch of bytes is given the next free slot of time its size fills, so the
 * takers of a shared limit are served in the order they asked, a batch each, and nobody spins.
 */
final class Throttle {
    private static final int MIN_BATCH = 1024;
    private static final int MAX_BATCH = 64 * 1024;
    /** Batches per second at most: a batch of 1/50 s keeps waits short and sleeps few. */
    private static final int BATCHES_PER_SECOND = 50;

    private final long bytesPerSecond;
    private final ReentrantLock lock = new ReentrantLock();
    private long nextFreeNanos = System.nanoTime();

    /** A limit of {@code bytesPerSecond}, above 0. */
    Throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** The limit, for a reload that keeps a rule's throttle only while its {@code rulerate=} stays. */
    long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Takes the next slot for {@code bytes}: how long the caller waits before it may send them. */
    long reserve(long bytes) {
        lock.lock();
        try {
            long now = System.nanoTime();
            long start = Math.max(now, nextFreeNanos); // an idle spell earns no burst
            nextFreeNanos = start + bytes * TimeUnit.SECONDS.toNanos(1) / bytesPerSecond;
            return start - now;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The limits one direction of one connection waits for: its own, its rule's, or both (null
     * where there is none), and the counter of time spent waiting.
     */
    record Direction(Throttle own, Throttle rule, LongConsumer waitedNanos) {

        /** The most a pump reads at once, so that one read is one short turn of the tighter limit. */
        int batch() {
            long tighter = Math.min(own == null ? Long.MAX_VALUE : own.bytesPerSecond, rule == null ? Long.MAX_VALUE : rule.bytesPerSecond);
            return (int) Math.max(MIN_BATCH, Math.min(MAX_BATCH, tighter / BATCHES_PER_SECOND));
        }

        /** Waits, asleep, until both limits let {@code bytes} go. */
        void await(long bytes) {
            long wait = Math.max(own == null ? 0 : own.reserve(bytes), rule == null ? 0 : rule.reserve(bytes));
            if (wait <= 0) {
                return;
            }
            waitedNanos.accept(wait);
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the pump's next read or write ends it
            }
        }
    }

    /**
     * A rule's {@code rulerate=} limits, one per direction, which its listener keeps while the
     * rate stays, and the limits each new connection of the rule waits for.
     */
    static final class Rule {
        private final long bytesPerSecond;
        private final Throttle in;
        private final Throttle out;
        private final LongConsumer waitedNanos;

        /** The shared limits of a rule with {@code rulerate=bytesPerSecond} (0 for none). */
        Rule(long bytesPerSecond, LongConsumer waitedNanos) {
            this.bytesPerSecond = bytesPerSecond;
            this.in = bytesPerSecond > 0 ? new Throttle(bytesPerSecond) : null;
            this.out = bytesPerSecond > 0 ? new Throttle(bytesPerSecond) : null;
            this.waitedNanos = waitedNanos;
        }

        /** The limits after a reload: these while the rate stays, so that the connections share one clock. */
        Rule update(long reloaded) {
            return reloaded == bytesPerSecond ? this : new Rule(reloaded, waitedNanos);
        }

        /** The limits of a new connection's client-to-backend direction, or null when its rule has none. */
        Direction in(Rates rates) {
            return direction(rates, in);
        }

        /** The limits of a new connection's backend-to-client direction, or null when its rule has none. */
        Direction out(Rates rates) {
            return direction(rates, out);
        }

        private Direction direction(Rates rates, Throttle shared) {
            if (!rates.any()) {
                return null; // no limit costs nothing
            }
            return new Direction(rates.perConnection() > 0 ? new Throttle(rates.perConnection()) : null, shared, waitedNanos);
        }
    }
}
