package oi.runtime;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count of live connections against a limit that may change on reload: {@code --max-conns}
 * for the process, {@code [maxconns=N]} for one rule. A slot is taken when a client is accepted
 * and given back exactly when its connection ends.
 */
public final class ConnectionLimit {
    private final AtomicInteger live = new AtomicInteger();

    /** Takes a slot if fewer than {@code limit} are taken; a limit of 0 or less means none. */
    public boolean tryAcquire(int limit) {
        if (limit <= 0) {
            live.incrementAndGet();
            return true;
        }
        while (true) {
            int now = live.get();
            if (now >= limit) {
                return false;
            }
            if (live.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives a slot back. */
    public void release() {
        live.decrementAndGet();
    }

    /** Slots taken now. */
    public int live() {
        return live.get();
    }
}
