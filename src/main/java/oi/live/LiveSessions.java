package oi.live;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every session still running, so that stop can end them and wait for their log lines; the
 * source of the ids that name threads and log lines; and the one sweeper thread that enforces
 * connect and idle time limits, started with the first session wherever sessions run, so no
 * connection depends on its creator to be timed out.
 */
public final class LiveSessions implements AutoCloseable {
    private static final Duration SWEEP_PERIOD = Duration.ofMillis(250);

    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition emptied = lock.newCondition();
    private volatile boolean closed;

    /** The next connection id, starting at 1. */
    public long nextId() {
        return ids.incrementAndGet();
    }

    /** Adds a session that is starting; the first one starts the sweeper. */
    public void add(Session session) {
        sessions.add(session);
        if (!sweeping.get() && sweeping.compareAndSet(false, true)) {
            // One thread for the process keeps time limits from costing a timer per connection or per read.
            Thread.ofPlatform().daemon(true).name("oi-sweeper").start(this::sweep);
        }
    }

    /** Removes a session that has finished, after its log line is written. */
    public void remove(Session session) {
        sessions.remove(session);
        if (sessions.isEmpty()) {
            lock.lock();
            try {
                emptied.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** How many sessions are running now. */
    public int count() {
        return sessions.size();
    }

    /** What {@code /status} shows of each running session, oldest first. */
    public List<SessionStatus> statuses() {
        return sessions.stream().map(Session::status).sorted(Comparator.comparingLong(SessionStatus::id)).toList();
    }

    /** Aborts every running session. */
    public void abortAll() {
        sessions.forEach(Session::abort);
    }

    /** Waits until no session runs or the time is up; returns whether none runs. */
    public boolean awaitEmpty(Duration limit) throws InterruptedException {
        long nanos = limit.toNanos();
        lock.lock();
        try {
            while (!sessions.isEmpty() && nanos > 0) {
                nanos = emptied.awaitNanos(nanos);
            }
            return sessions.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the sweeper; sessions still running are the caller's to end. */
    @Override
    public void close() {
        closed = true;
    }

    private void sweep() {
        while (!closed) {
            try {
                Thread.sleep(SWEEP_PERIOD);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            sessions.forEach(session -> session.sweep(now));
        }
    }
}
