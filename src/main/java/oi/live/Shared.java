package oi.live;

import oi.report.Report;
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
}
