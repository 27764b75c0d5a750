package oi.runtime;

import java.net.SocketAddress;
import oi.stats.RuleStats;

/**
 * What a listener hands the session of a client it admitted: the id, the client's address, the
 * rule in force when it arrived, the shared context, the rule's counters, and how to give its
 * connection-limit slots back.
 *
 * @param release gives back the slots taken for this client; called exactly once, when the session ends
 */
public record Admission(long id, SocketAddress client, ActiveRule rule, Context context, RuleStats stats,
                        Runnable release) {
}
