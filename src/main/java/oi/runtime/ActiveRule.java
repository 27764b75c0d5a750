package oi.runtime;

import oi.acl.AccessList;
import oi.config.ForwardRule;

/**
 * A forwarding rule together with the global access list of the same config: what a listener
 * checks each new client against, swapped as one value when the config is reloaded.
 */
public record ActiveRule(ForwardRule rule, AccessList global) {

    /** The access verdict for a new client of this rule. */
    public AccessList.Verdict check(java.net.InetAddress client) {
        return AccessList.check(global, rule.access(), client);
    }
}
