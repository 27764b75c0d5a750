package oi.runtime;

import oi.log.ConnectionLog;

/**
 * What every listener shares for the life of the process: the command-line settings, the
 * connection log and the registry of live sessions.
 */
public record Context(Settings settings, ConnectionLog log, LiveSessions live) {
}
