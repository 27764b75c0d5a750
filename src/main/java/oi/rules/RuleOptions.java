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
 * @param accept the PROXY header the client must send first, and whose headers are believed
 * @param health when a backend counts as down, and how it is found up again
 * @param rates the bandwidth limits of one connection and of the whole rule
 */
public record RuleOptions(int udpTimeoutSeconds, InetAddress source, int maxConns, int idleSeconds, ProxyProtocol proxy,
                          Accept accept, Balance balance, Health health, Rates rates) {

    /** rinetd's UDP session timeout when a rule gives none. */
    public static final int DEFAULT_UDP_TIMEOUT_SECONDS = 72;

    /** An {@code idleSeconds} that defers to the command line. */
    public static final int INHERIT = -1;

    /** The options of a rule that has no brackets. */
    public static final RuleOptions DEFAULTS = new RuleOptions(DEFAULT_UDP_TIMEOUT_SECONDS, null, 0, INHERIT,
            ProxyProtocol.NONE, Accept.NONE, Balance.ROUNDROBIN, Health.DEFAULTS, Rates.NONE);

    /**
     * {@code acceptproxy=v1|v2|any} and {@code proxyfrom=PATTERN}: the client is a balancer that
     * names the real client in a PROXY header before its first byte.
     *
     * @param version the header taken, or {@link ProxyProtocol#NONE} for none
     * @param from the peers whose headers are believed, or null for every peer
     */
    public record Accept(ProxyProtocol version, AddressPattern from) {
        /** No header expected: the peer is the client, as with rinetd. */
        public static final Accept NONE = new Accept(ProxyProtocol.NONE, null);
    }

    /**
     * {@code rate=SIZE} and {@code rulerate=SIZE}: bytes per second in each direction.
     *
     * @param perConnection the cap of each connection, 0 for none
     * @param perRule the cap of the sum over the rule's connections, 0 for none
     */
    public record Rates(long perConnection, long perRule) {
        /** No limit. */
        public static final Rates NONE = new Rates(0, 0);

        /** Whether either limit is set. */
        public boolean any() {
            return perConnection > 0 || perRule > 0;
        }
    }

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
            set.add("src=" + Addresses.text(source));
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
        if (accept.version() != ProxyProtocol.NONE) {
            set.add("acceptproxy=" + accept.version().name().toLowerCase(Locale.ROOT));
        }
        if (accept.from() != null) {
            set.add("proxyfrom=" + accept.from().text());
        }
        if (rates.perConnection() > 0) {
            set.add("rate=" + size(rates.perConnection()));
        }
        if (rates.perRule() > 0) {
            set.add("rulerate=" + size(rates.perRule()));
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

    /** A rate as the options write it, {@code 10m} or {@code 512k} (powers of 1024), else in bytes. */
    private static String size(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + "m" : bytes % 1024 == 0 ? (bytes >> 10) + "k" : Long.toString(bytes);
    }
}
