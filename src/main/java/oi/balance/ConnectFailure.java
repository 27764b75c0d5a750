package oi.balance;

import oi.report.Outcome;

/** Why one backend could not be reached, and the log word that failure gives a connection if no other backend serves. */
public final class ConnectFailure extends Exception {
    private final Outcome outcome;

    /** A failure reading {@code message} in the log, ending the connection with {@code outcome} if it is the last. */
    public ConnectFailure(Outcome outcome, String message) {
        super(message, null, false, false); // an expected event: no stack trace to fill
        this.outcome = outcome;
    }

    /** The log word, e.g. {@code local-connect-failed}. */
    public Outcome outcome() {
        return outcome;
    }
}
