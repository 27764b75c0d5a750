package oi.live;

import java.time.Duration;
import java.time.ZonedDateTime;
import oi.report.ConnectionRecord;
import oi.report.Outcome;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;

/**
 * The bytes a session moved and when it last moved any: what its log line, {@code /status} and
 * its idle limit read. Each count has one writer (the thread of its direction); the fields are
 * volatile only so that other threads read fresh values.
 */
public final class Traffic {
    private final long startNanos = System.nanoTime();
    private volatile long bytesIn;
    private volatile long bytesOut;
    private volatile long lastActivityNanos = startNanos;

    /** Counts bytes received from the client and forwarded; called by one thread only. */
    public void countIn(long n) {
        lastActivityNanos = System.nanoTime();
        bytesIn += n;
    }

    /** Counts bytes sent to the client; called by one thread only. */
    public void countOut(long n) {
        lastActivityNanos = System.nanoTime();
        bytesOut += n;
    }

    /** Marks activity that moved no bytes yet (a datagram waiting for its backend to open). */
    public void touch() {
        lastActivityNanos = System.nanoTime();
    }

    /** Whether nothing moved for longer than {@code limitNanos}; a limit of 0 means never. */
    public boolean idleLongerThan(long limitNanos, long nowNanos) {
        return limitNanos > 0 && nowNanos - lastActivityNanos > limitNanos;
    }

    /** How long nothing moved, for the debug line of an idle close. */
    public long idleMillis(long nowNanos) {
        return (nowNanos - lastActivityNanos) / 1_000_000;
    }

    /** The status line of a live session with this traffic. */
    public SessionStatus status(long id, ForwardRule rule, String client, Endpoint backend) {
        return new SessionStatus(id, rule.toString(), client, backend.toString(),
                Duration.ofNanos(System.nanoTime() - startNanos), bytesIn, bytesOut);
    }

    /** What the log says of a session with this traffic to {@code backend} that ended now with {@code outcome}. */
    public ConnectionRecord record(String client, ForwardRule rule, Endpoint backend, Outcome outcome) {
        return new ConnectionRecord(ZonedDateTime.now(), client, rule, backend, bytesIn, bytesOut, outcome,
                Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
