package oi.live;

import oi.rules.ActiveRule;

/** The socket one forwarding rule listens on, TCP or UDP, as the forwarder manages it. */
public interface Listener extends AutoCloseable {

    /** Starts serving clients. */
    void start();

    /** Applies a reloaded rule and access lists to clients that arrive from now on. */
    void update(ActiveRule reloaded);

    /** The rule this listener serves now. */
    ActiveRule active();

    /** The rule's traffic counters, kept across reloads. */
    oi.report.RuleStats stats();

    /** The rule's backends and their health, kept across reloads. */
    oi.balance.Backends backends();

    /** The port actually bound, which differs from the rule's when it asked for port 0. */
    int localPort();

    /** The socket's real local address as a log shows it, e.g. {@code 0.0.0.0:8080} or {@code [::]:8080}. */
    String localAddress();

    /** Stops listening and probing backends; sessions already running go on. */
    @Override
    void close();
}
