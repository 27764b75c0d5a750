package oi.rules;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bracketed options of a forwarding rule, {@code [timeout=N,src=ADDR,maxconns=N,idle=N,proxy=v1|v2,
 * balance=NAME,check=N,maxfails=N,failtimeout=N]}.
 *
 * @param udpTimeoutSeconds idle seconds before a UDP session ends (rinetd's default is 72)
 * @param source the local address outgoing connections are made from, or null for any
 * @param maxConns live connections this rule allows, or 0 for no limit of its own
 * @param idleSeconds seconds a TCP connection may carry no bytes, 0 for never, or
 *     {@link #INHERIT} to follow {@code --idle-timeout}
 * @param proxy the PROXY protocol header sent to the backend before any client byte
 * @param balance how a new client's backend is chosen, when the rule has several
 * @param health when a backend counts as down, and how it is found up again
 */
public record RuleOptions(int udpTimeoutSeconds, InetAddress source, int maxConns, int idleSeconds, ProxyProtocol proxy,
                          Balance balance, Health health) {

    /** rinetd's UDP session timeout when a rule gives none. */
    public static final int DEFAULT_UDP_TIMEOUT_SECONDS = 72;

    /** An {@code idleSeconds} that defers to the command line. */
    public static final int INHERIT = -1;

    /** The options of a rule that has no brackets. */
    public static final RuleOptions DEFAULTS = new RuleOptions(DEFAULT_UDP_TIMEOUT_SECONDS, null, 0, INHERIT,
            ProxyProtocol.NONE, Balance.ROUNDROBIN, Health.DEFAULTS);

    /** How a rule with several backends spreads its clients over them: {@code balance=}. */
    public enum Balance {
        /** In turn, in proportion to the weights, smoothly (nginx's smooth weighted round robin). */
        ROUNDROBIN,
        /** The backend with the fewest live connections for its weight. */
        LEASTCONN,
        /** Two backends drawn at random by weight, and the less loaded of the two. */
        RANDOM,
        /** By the client's address, so that a client keeps its backend (rendezvous hashing). */
        IPHASH;

        /** The option's value as written, e.g. {@code leastconn}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * When a backend is down: {@code maxFails} failed connects in a row mark it down; without
     * {@code checkSeconds} one client tries it again after {@code failTimeoutSeconds}, with it a
     * TCP connect probe every so many seconds does, and two good probes bring it back.
     *
     * @param checkSeconds seconds between active probes, 0 for passive health only
     * @param maxFails failed connects (or probes) in a row that mark a backend down
     * @param failTimeoutSeconds how long a backend marked down by clients stays out before one is let try it
     */
    public record Health(int checkSeconds, int maxFails, int failTimeoutSeconds) {
        /** Passive only: three failures in a row, ten seconds out. */
        public static final Health DEFAULTS = new Health(0, 3, 10);
    }

    /**
     * The options that differ from a rule without brackets, written as the rules file writes them
     * ({@code [maxconns=200,idle=300]}), or an empty string when there are none; what
     * {@code oi --check} shows of them.
     */
    public String written() {
        List<String> set = new ArrayList<>();
        if (udpTimeoutSeconds != DEFAULT_UDP_TIMEOUT_SECONDS) {
            set.add("timeout=" + udpTimeoutSeconds);
        }
        if (source != null) {
            set.add("src=" + source.getHostAddress());
        }
        if (maxConns > 0) {
            set.add("maxconns=" + maxConns);
        }
        if (idleSeconds != INHERIT) {
            set.add("idle=" + idleSeconds);
        }
        if (proxy != ProxyProtocol.NONE) {
            set.add("proxy=" + proxy.name().toLowerCase(Locale.ROOT));
        }
        if (balance != Balance.ROUNDROBIN) {
            set.add("balance=" + balance.word());
        }
        if (health.checkSeconds() != Health.DEFAULTS.checkSeconds()) {
            set.add("check=" + health.checkSeconds());
        }
        if (health.maxFails() != Health.DEFAULTS.maxFails()) {
            set.add("maxfails=" + health.maxFails());
        }
        if (health.failTimeoutSeconds() != Health.DEFAULTS.failTimeoutSeconds()) {
            set.add("failtimeout=" + health.failTimeoutSeconds());
        }
        return set.isEmpty() ? "" : "[" + String.join(",", set) + "]";
    }
}
