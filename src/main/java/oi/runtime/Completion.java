package oi.runtime;

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
        waiter = Thread.currentThread();
        boolean interrupted = false;
        while (!done) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        waiter = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
