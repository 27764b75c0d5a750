package oi.runtime;

import java.time.Duration;
import java.time.ZonedDateTime;
import oi.config.ForwardRule;
import oi.log.ConnectionLog;
import oi.log.Outcome;
import oi.log.ConnectionRecord;
import oi.stats.ConnectionEvent;
import oi.stats.RuleStats;

/**
 * What every listener shares for the life of the process: the command-line settings, the
 * connection log, the registry of live sessions, the process-wide connection limit, the pool
 * of full-size pump buffers and the threads sessions run on.
 */
public record Context(Settings settings, ConnectionLog log, LiveSessions live, ConnectionLimit connections,
                      BufferPool buffers, Threads threads) {

    /** A context with a fresh log, registry, limit and buffer pool. */
    public static Context create(Settings settings) {
        return new Context(settings, new ConnectionLog(), new LiveSessions(), new ConnectionLimit(),
                new BufferPool(settings.bufferSize(), settings.io() != IoMode.STREAM, settings.bufferBudget()), Threads.of(settings));
    }

    /**
     * Reports a finished session (or a refused client) everywhere it is counted: the connection
     * log, the rule's statistics and, when a recording is running, Flight Recorder.
     *
     * @param client the client as the log shows it
     * @param in bytes received from the client
     * @param out bytes sent to the client
     * @param opened whether the session was counted as opened in {@code stats}
     */
    public void record(RuleStats stats, String client, ForwardRule rule, Outcome outcome, long startNanos, long in, long out,
                      boolean opened) {
        long nanos = System.nanoTime() - startNanos;
        if (log.enabled()) {
            log.record(new ConnectionRecord(ZonedDateTime.now(), client, rule, in, out, outcome, Duration.ofNanos(nanos)));
        }
        stats.closed(outcome, in, out, nanos, opened);
        ConnectionEvent event = new ConnectionEvent();
        if (event.isEnabled()) {
            event.rule = rule.toString();
            event.client = client;
            event.backend = rule.connect().toString();
            event.bytesIn = in;
            event.bytesOut = out;
            event.durationNanos = nanos;
            event.outcome = outcome.word();
            event.commit();
        }
    }
}
