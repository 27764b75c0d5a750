package oi.live;

import oi.report.ConnectionRecord;
import oi.report.Report;
import oi.report.RuleStats;
import oi.rules.ForwardRule;
import oi.settings.Settings;
import oi.threads.Threads;

/**
 * What every listener and session shares for the life of the process: the command-line
 * settings, the report (connection log, counters, events), the registry of live sessions, the
 * process-wide connection limit and the threads sessions run on.
 */
public record Shared(Settings settings, Report report, LiveSessions live, ConnectionLimit connections, Threads threads) {

    /** A fresh report, registry and limit, with the threads of the settings. */
    public static Shared create(Settings settings) {
        return new Shared(settings, new Report(), new LiveSessions(), new ConnectionLimit(), Threads.of(settings));
    }

    /** Counts a session in, before any of its threads can end it: the registry, the rule's active count, an event. */
    public void opened(Session session, RuleStats stats, ForwardRule rule, String client) {
        live.add(session);
        report.opened(stats, rule, client);
    }

    /** Counts a session out: its one report, then out of the registry, so that stop waits for the log line. */
    public void ended(Session session, RuleStats stats, ConnectionRecord record) {
        try {
            report.ended(stats, record);
        } finally {
            live.remove(session);
        }
    }
}
