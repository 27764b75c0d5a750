package oi.config;

import java.net.InetAddress;

/**
 * The bracketed options of a forwarding rule, {@code [timeout=N,src=ADDR]}.
 *
 * @param udpTimeoutSeconds idle seconds before a UDP session ends (rinetd's default is 72)
 * @param source the local address outgoing connections are made from, or null for any
 */
public record RuleOptions(int udpTimeoutSeconds, InetAddress source) {

    /** rinetd's UDP session timeout when a rule gives none. */
    public static final int DEFAULT_UDP_TIMEOUT_SECONDS = 72;

    /** The options of a rule that has no brackets. */
    public static final RuleOptions DEFAULTS = new RuleOptions(DEFAULT_UDP_TIMEOUT_SECONDS, null);
}
