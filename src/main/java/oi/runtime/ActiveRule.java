package oi.runtime;

import java.net.InetAddress;
import oi.acl.AccessList;
import oi.config.ForwardRule;
import oi.log.Outcome;

/**
 * A forwarding rule together with the global access list of the same config: what a listener
 * checks each new client against, swapped as one value when the config is reloaded.
 */
public record ActiveRule(ForwardRule rule, AccessList global) {

    /** The access verdict for a new client of this rule. */
    public AccessList.Verdict check(InetAddress client) {
        return AccessList.check(global, rule.access(), client);
    }

    /** Why a new client is refused, in rinetd's words, or null when it may pass. */
    public Outcome refusal(InetAddress client) {
        return switch (check(client)) {
            case ALLOWED -> null;
            case DENIED -> Outcome.DENIED;
            case NOT_ALLOWED -> Outcome.NOT_ALLOWED;
        };
    }
}
