package oi.balance;

import oi.report.Outcome;
import oi.rules.Endpoint;

/**
 * What trying a rule's backends in turn came to: a connection to one of them, or the failure of
 * the last one tried.
 *
 * @param <T> the connection: a TCP socket, or a datagram socket for UDP
 */
public sealed interface Attempt<T> {

    /** A backend took the connection; the session gives it back with {@link BackendState#release} when it ends. */
    record Opened<T>(T channel, BackendState backend) implements Attempt<T> {
    }

    /** Every backend tried failed; {@code last} is the one the log line names. */
    record Failed<T>(Outcome outcome, Endpoint last) implements Attempt<T> {
    }
}
