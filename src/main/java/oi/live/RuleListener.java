package oi.live;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import oi.balance.Backends;
import oi.report.RuleStats;
import oi.rules.ActiveRule;
import oi.rules.Addresses;

/**
 * What a TCP and a UDP listener share, so each keeps only its own serving loop: the rule it
 * serves now (which a reload swaps), the rule's counters and backends, and the port it is bound to.
 */
public abstract class RuleListener implements Listener {
    private final NetworkChannel channel;
    private final RuleStats stats = new RuleStats();
    private final Backends backends;
    private volatile ActiveRule active;

    /**
     * A listener on an already bound channel, serving {@code active} until a reload.
     *
     * @param probeTimeout how long a backend's health probe waits for its connect
     */
    protected RuleListener(NetworkChannel channel, ActiveRule active, Duration probeTimeout) {
        this.channel = channel;
        this.active = active;
        this.backends = new Backends(active.rule(), probeTimeout);
    }

    @Override
    public void update(ActiveRule reloaded) {
        backends.update(reloaded.rule());
        active = reloaded;
    }

    @Override
    public Backends backends() {
        return backends;
    }

    @Override
    public ActiveRule active() {
        return active;
    }

    @Override
    public RuleStats stats() {
        return stats;
    }

    @Override
    public String localAddress() {
        try {
            SocketAddress local = channel.getLocalAddress();
            if (local instanceof InetSocketAddress inet) {
                return Addresses.withPort(inet);
            }
            return String.valueOf(local);
        } catch (IOException e) {
            return active.rule().bind().toString(); // closed
        }
    }

    @Override
    public int localPort() {
        try {
            return channel.getLocalAddress() instanceof InetSocketAddress address ? address.getPort() : 0;
        } catch (IOException e) {
            return 0; // closed; a Unix socket has no port either
        }
    }
}
