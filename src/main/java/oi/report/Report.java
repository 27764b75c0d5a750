package oi.report;

import oi.rules.ForwardRule;

/**
 * Where a connection is reported, once when it starts and once when it ends: the connection log
 * line, the rule's counters and, while a recording runs, Flight Recorder. Any thread may call it.
 */
public final class Report {
    private final ConnectionLog log = new ConnectionLog();

    /** The connection log, which the server points at the rules file's {@code logfile} and reopens on SIGHUP. */
    public ConnectionLog log() {
        return log;
    }

    /** A client was taken into a session: counted as active, and an event when a recording runs. */
    public void opened(RuleStats stats, ForwardRule rule, String client) {
        stats.opened();
        ConnectionOpenedEvent event = new ConnectionOpenedEvent();
        if (event.isEnabled()) {
            event.rule = rule.toString();
            event.client = client;
            event.commit();
        }
    }

    /** A session that was {@linkplain #opened opened} has ended: its one line, its counters, its event. */
    public void ended(RuleStats stats, ConnectionRecord record) {
        stats.ended(record);
        write(record);
    }

    /** A client refused before any session started (a limit, or no socket for it): a line and a count, never active. */
    public void refused(RuleStats stats, ConnectionRecord record) {
        stats.refused(record);
        write(record);
    }

    private void write(ConnectionRecord record) {
        if (log.enabled()) {
            log.record(record);
        }
        ConnectionEvent event = new ConnectionEvent();
        if (event.isEnabled()) {
            event.rule = record.rule().toString();
            event.client = record.client();
            event.backend = record.backend().toString();
            event.bytesIn = record.bytesIn();
            event.bytesOut = record.bytesOut();
            event.durationNanos = record.duration().toNanos();
            event.outcome = record.outcome().word();
            event.commit();
        }
    }
}
