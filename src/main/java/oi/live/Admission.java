package oi.live;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import oi.balance.Backends;
import oi.report.RuleStats;
import oi.rules.ActiveRule;
import oi.rules.Endpoint;

/**
 * What a stream listener hands the connection it creates for an accepted client: the id, the
 * socket and its peer, the rule in force when it arrived, the rule's counters and backends, and the limit slot,
 * which the connection closes when it ends.
 */
public record Admission(long id, SocketChannel client, SocketAddress peer, ActiveRule rule, RuleStats stats,
                        Backends backends, ConnectionLimit.Slot slot) {

    /** What {@code /status} shows of the connection of this client to {@code backend}, with its traffic so far. */
    public SessionStatus status(Traffic traffic, Endpoint backend) {
        return traffic.status(id, rule.rule(), Session.statusText(peer), backend);
    }

    /** The same admission for the real client a PROXY header named, which stands for the peer from now on. */
    public Admission withPeer(SocketAddress client) {
        return new Admission(id, this.client, client, rule, stats, backends, slot);
    }

    /** The client's IP address, for {@code iphash}; null for a Unix-socket client. */
    public InetAddress clientAddress() {
        return peer instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** The client as the log shows it. */
    public String clientText() {
        return Session.logText(peer);
    }
}
