package oi.runtime;

import oi.log.ConnectionLog;

/**
 * What every listener shares for the life of the process: the command-line settings, the
 * connection log, the registry of live sessions and the process-wide connection limit.
 */
public record Context(Settings settings, ConnectionLog log, LiveSessions live, ConnectionLimit connections) {

    /** A context with a fresh log, registry and limit. */
    public static Context create(Settings settings) {
        return new Context(settings, new ConnectionLog(), new LiveSessions(), new ConnectionLimit());
    }
}
