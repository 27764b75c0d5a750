package oi.threads;

import java.util.concurrent.locks.LockSupport;

/**
 * A one-shot signal that a thread of a session has finished, so that another can wait for it
 * without a join: pooled threads never end, and a join would wait for the pool.
 */
public final class Completion {
    private volatile boolean done;
    private volatile Thread waiter;

    /** Marks the task finished and wakes the waiter, if any. */
    public void done() {
        done = true;
        Thread waiting = waiter;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
    }

    /** Waits until {@link #done}; an interrupt is kept for the caller, not taken for the signal. */
    public void await() {
        await(Long.MAX_VALUE);
    }

    /** Waits until {@link #done} or for {@code nanos}; returns whether it is done. */
    public boolean await(long nanos) {
        waiter = Thread.currentThread(); // set before reading done: see done()
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        long left = nanos;
        while (!done && left > 0) {
            LockSupport.parkNanos(this, left);
            interrupted |= Thread.interrupted();
            left = nanos == Long.MAX_VALUE ? nanos : deadline - System.nanoTime();
        }
        waiter = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return done;
    }
}
