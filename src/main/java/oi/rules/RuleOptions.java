package oi.rules;

import java.net.InetAddress;
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
}
