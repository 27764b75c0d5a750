package oi.runtime;

import java.net.InetAddress;
import oi.acl.AccessList;
import oi.config.ForwardRule;
import oi.log.Outcome;

/**
 * A forwarding rule together with the global access list of the same config and the kind of
 * session its stream clients get: what a listener checks each new client against and hands it
 * to, swapped as one value when the config is reloaded.
 *
 * @param sessions opens the session of an accepted stream client; unused by UDP listeners
 */
public record ActiveRule(ForwardRule rule, AccessList global, StreamSessions sessions) {

    /** Why a new client is refused, in rinetd's words, or null when it may pass. */
    public Outcome refusal(InetAddress client) {
        return switch (AccessList.check(global, rule.access(), client)) {
            case ALLOWED -> null;
            case DENIED -> Outcome.DENIED;
            case NOT_ALLOWED -> Outcome.NOT_ALLOWED;
        };
    }
}
