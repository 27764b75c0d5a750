package oi.runtime;

/** A live connection or UDP session, as the forwarder sees it when it has to end them all. */
public interface Session {

    /** Ends the session at once, resetting its sockets; safe to call from any thread, more than once. */
    void abort();
}
