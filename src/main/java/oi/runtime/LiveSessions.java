package oi.runtime;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every session still running, so that stop can end them and wait for their log lines, and
 * the source of connection ids that name threads and log lines.
 */
public final class LiveSessions {
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition emptied = lock.newCondition();

    /** The next connection id, starting at 1. */
    public long nextId() {
        return ids.incrementAndGet();
    }

    /** Adds a session that has started. */
    public void add(Session session) {
        sessions.add(session);
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
    public java.util.List<SessionStatus> statuses() {
        return sessions.stream().map(Session::status).filter(java.util.Objects::nonNull)
                .sorted(java.util.Comparator.comparingLong(SessionStatus::id)).toList();
    }

    /** Aborts every running session. */
    public void abortAll() {
        sessions.forEach(Session::abort);
    }

    /**
     * Starts the one thread that ends idle sessions, checking every {@code period}; it stops
     * when {@code running} says so. One sweeper for the process keeps idle timeouts from
     * costing a timer per connection or per read.
     */
    public Thread startIdleSweeper(Duration period, java.util.function.BooleanSupplier running) {
        return Thread.ofPlatform().daemon(true).name("oi-idle-sweeper").start(() -> {
            while (running.getAsBoolean()) {
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                sessions.forEach(session -> session.expireIfIdle(now));
            }
        });
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
}
