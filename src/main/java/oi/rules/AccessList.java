package oi.rules;

import java.net.InetAddress;
import java.util.List;

/**
 * The {@code allow} and {@code deny} patterns of one level (global, or one forwarding rule).
 */
public record AccessList(List<AddressPattern> allow, List<AddressPattern> deny) {

    /** A level with no patterns: lets everyone through. */
    public static final AccessList EMPTY = new AccessList(List.of(), List.of());

    /** Copies the lists, so that a level cannot change after it is read. */
    public AccessList {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    /** The answer to "may this client connect?", in rinetd's two refusal flavours. */
    public enum Verdict {
        /** The client may connect. */
        ALLOWED,
        /** An allow list exists and the client matched none of it: rinetd's {@code not-allowed}. */
        NOT_ALLOWED,
        /** The client matched a deny pattern: rinetd's {@code denied}. */
        DENIED
    }

    /**
     * Decides whether a client may use a rule, in exactly rinetd's order
     * ({@code checkConnectionAllowed} in rinetd.c).
     */
    public static Verdict check(AccessList global, AccessList rule, InetAddress client) {
        // 1. Global allow rules: if any exist, the client must match one of them.
        if (!global.allow.isEmpty() && !anyMatches(global.allow, client)) {
            return Verdict.NOT_ALLOWED;
        }
        // 2. Global deny rules: a match refuses the client.
        if (anyMatches(global.deny, client)) {
            return Verdict.DENIED;
        }
        // 3. The rule's own allow rules: if any exist, the client must match one of them.
        if (!rule.allow.isEmpty() && !anyMatches(rule.allow, client)) {
            return Verdict.NOT_ALLOWED;
        }
        // 4. The rule's own deny rules: a match refuses the client.
        if (anyMatches(rule.deny, client)) {
            return Verdict.DENIED;
        }
        return Verdict.ALLOWED;
    }

    private static boolean anyMatches(List<AddressPattern> patterns, InetAddress client) {
        for (AddressPattern pattern : patterns) {
            if (pattern.matches(client)) {
                return true;
            }
        }
        return false;
    }
}
