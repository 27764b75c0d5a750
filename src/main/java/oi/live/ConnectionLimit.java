package oi.live;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count of live connections against a limit that may change on reload: {@code --max-conns}
 * for the process, {@code [maxconns=N]} for one rule. A slot is taken when a client is accepted
 * and closed, which gives it back, exactly when its connection ends.
 */
public final class ConnectionLimit {
    private final AtomicInteger live = new AtomicInteger();

    /** A slot if fewer than {@code limit} are taken, else empty; a limit of 0 or less means none. */
    public Optional<Slot> take(int limit) {
        while (true) {
            int now = live.get();
            if (limit > 0 && now >= limit) {
                return Optional.empty();
            }
            if (live.compareAndSet(now, now + 1)) {
                return Optional.of(new Slot(this, null));
            }
        }
    }

    /** Slots taken now. */
    public int live() {
        return live.get();
    }

    /** One taken slot, perhaps together with one of an enclosing limit; closing it gives both back, once. */
    public static final class Slot implements AutoCloseable {
        private final ConnectionLimit limit;
        private final Slot enclosing;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Slot(ConnectionLimit limit, Slot enclosing) {
            this.limit = limit;
            this.enclosing = enclosing;
        }

        /** This slot and {@code outer}'s as one, e.g. a rule's slot inside the process's. */
        public Slot within(Slot outer) {
            return new Slot(limit, outer);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                limit.live.decrementAndGet();
                if (enclosing != null) {
                    enclosing.close();
                }
            }
        }
    }
}
