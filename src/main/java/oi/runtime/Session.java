package oi.runtime;

/** A live connection or UDP session, as the forwarder sees it when it has to end some or all. */
public interface Session {

    /** Ends the session at once, resetting its sockets; safe to call from any thread, more than once. */
    void abort();

    /**
     * Ends the session if it has carried no bytes for longer than its idle limit. Called by the
     * one sweeper thread of {@link LiveSessions}, never per connection.
     *
     * @param nowNanos the sweeper's {@link System#nanoTime()}
     */
    default void expireIfIdle(long nowNanos) {
    }

    /** What {@code /status} shows of this session, or null while it has nothing to show. */
    default SessionStatus status() {
        return null;
    }
}
