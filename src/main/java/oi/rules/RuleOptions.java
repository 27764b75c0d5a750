package oi.rules;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bracketed options of a forwarding rule, {@code [timeout=N,src=ADDR,maxconns=N,idle=N,proxy=v1|v2]}.
 *
 * @param udpTimeoutSeconds idle seconds before a UDP session ends (rinetd's default is 72)
 * @param source the local address outgoing connections are made from, or null for any
 * @param maxConns live connections this rule allows, or 0 for no limit of its own
 * @param idleSeconds seconds a TCP connection may carry no bytes, 0 for never, or
 *     {@link #INHERIT} to follow {@code --idle-timeout}
 * @param proxy the PROXY protocol header sent to the backend before any client byte
 */
public record RuleOptions(int udpTimeoutSeconds, InetAddress source, int maxConns, int idleSeconds, ProxyProtocol proxy) {

    /** rinetd's UDP session timeout when a rule gives none. */
    public static final int DEFAULT_UDP_TIMEOUT_SECONDS = 72;

    /** An {@code idleSeconds} that defers to the command line. */
    public static final int INHERIT = -1;

    /** The options of a rule that has no brackets. */
    public static final RuleOptions DEFAULTS = new RuleOptions(DEFAULT_UDP_TIMEOUT_SECONDS, null, 0, INHERIT,
            ProxyProtocol.NONE);

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
        return set.isEmpty() ? "" : "[" + String.join(",", set) + "]";
    }
}
