package oi.rules;

import java.net.InetAddress;
import oi.rules.AccessList.Verdict;

/**
 * A forwarding rule together with the global access list of the same config: what a listener
 * checks each new client against, swapped as one value when the config is reloaded.
 */
public record ActiveRule(ForwardRule rule, AccessList global) {

    /** Whether a client may use this rule, in rinetd's order: global lists first, then the rule's own. */
    public Verdict admits(InetAddress client) {
        return AccessList.check(global, rule.access(), client);
    }
}
