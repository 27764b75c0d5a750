package oi.config;

import oi.acl.AccessList;

/**
 * One forwarding rule of the rules file: where to listen, where to forward, its options and
 * the access patterns that follow it.
 *
 * @param line the line of the rules file it came from, for messages
 */
public record ForwardRule(int line, Endpoint bind, Endpoint connect, RuleOptions options, AccessList access) {

    /**
     * Identifies the listener this rule needs, so a reload keeps a socket whose address did not
     * change. A bind port of 0 (any free port) is told apart by its line instead.
     */
    public String listenKey() {
        return bind.port() == 0 ? bind.listenKey() + " line " + line : bind.listenKey();
    }

    @Override
    public String toString() {
        return bind + " -> " + connect;
    }
}
