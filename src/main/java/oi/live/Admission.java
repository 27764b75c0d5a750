package oi.live;

import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import oi.report.RuleStats;
import oi.rules.ActiveRule;

/**
 * What a stream listener hands the connection it creates for an accepted client: the id, the
 * socket and its peer, the rule in force when it arrived, the rule's counters, and the limit slot,
 * which the connection closes when it ends.
 */
public record Admission(long id, SocketChannel client, SocketAddress peer, ActiveRule rule, RuleStats stats,
                        ConnectionLimit.Slot slot) {

    /** What {@code /status} shows of the connection of this client, with its traffic so far. */
    public SessionStatus status(Traffic traffic) {
        return traffic.status(id, rule.rule(), Session.statusText(peer));
    }

    /** The client as the log shows it. */
    public String clientText() {
        return Session.logText(peer);
    }
}
