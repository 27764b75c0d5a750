package oi.runtime;

import oi.log.ConnectionLog;
import oi.log.ConnectionRecord;
import oi.stats.ConnectionEvent;
import oi.stats.RuleStats;

/**
 * What every listener shares for the life of the process: the command-line settings, the
 * connection log, the registry of live sessions, the process-wide connection limit and the pool
 * of full-size pump buffers.
 */
public record Context(Settings settings, ConnectionLog log, LiveSessions live, ConnectionLimit connections,
                      BufferPool buffers) {

    /** A context with a fresh log, registry, limit and buffer pool. */
    public static Context create(Settings settings) {
        return new Context(settings, new ConnectionLog(), new LiveSessions(), new ConnectionLimit(),
                new BufferPool(settings.bufferSize(), settings.io() == IoMode.CHANNEL));
    }

    /**
     * Reports a finished session (or a refused client) everywhere it is counted: the connection
     * log, the rule's statistics and, when a recording is running, Flight Recorder.
     *
     * @param opened whether the session was counted as opened in {@code stats}
     */
    public void ended(RuleStats stats, ConnectionRecord record, boolean opened) {
        log.record(record);
        long nanos = record.duration().toNanos();
        stats.closed(record.outcome(), record.bytesIn(), record.bytesOut(), nanos, opened);
        ConnectionEvent event = new ConnectionEvent();
        if (event.isEnabled()) {
            event.rule = record.rule().toString();
            event.client = record.client();
            event.backend = record.rule().connect().toString();
            event.bytesIn = record.bytesIn();
            event.bytesOut = record.bytesOut();
            event.durationNanos = nanos;
            event.outcome = record.outcome().word();
            event.commit();
        }
    }
}
