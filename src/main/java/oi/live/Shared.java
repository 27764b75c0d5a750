package oi.live;

import java.util.concurrent.Callable;
import java.util.function.Consumer;
import oi.report.ConnectionRecord;
import oi.report.Outcome;
import oi.report.Report;
import oi.report.RuleStats;
import oi.rules.ForwardRule;
import oi.settings.Settings;
import oi.threads.Threads;
import org.tinylog.Logger;

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

    /**
     * Registers a stream connection and runs it on a thread of its own: {@code forward} to its
     * outcome, then {@code finish}, whatever {@code forward} throws (a bug or an Error such as
     * running out of memory ends this connection only, as {@code internal-error}). Without a
     * thread to be had, it finishes at once as {@code local-socket-failed}, and the listener serves on.
     */
    public void start(Session connection, Admission admission, Callable<Outcome> forward, Consumer<Outcome> finish) {
        opened(connection, admission.stats(), admission.rule().rule(), admission.clientText());
        Runnable run = () -> {
            Outcome outcome = Outcome.INTERNAL_ERROR;
            try {
                outcome = forward.call();
            } catch (Throwable e) {
                Logger.error("#{} {} failed: {}", admission.id(), admission.clientText(), e.toString());
                Logger.debug(e, "#{}", admission.id());
            } finally {
                finish.accept(outcome);
            }
        };
        try {
            threads.start("oi-pump #" + admission.id() + " c→b", run);
        } catch (OutOfMemoryError | RuntimeException e) {
            Logger.error("#{} cannot start a thread: {}", admission.id(), e.toString());
            finish.accept(Outcome.LOCAL_SOCKET_FAILED);
        }
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
