package oi.config;

import oi.acl.AccessList;

/**
 * One forwarding rule of the rules file: where to listen, where to forward, its options and
 * the access patterns that follow it.
 *
 * @param line the line of the rules file it came from, for messages
 */
public record ForwardRule(int line, Endpoint bind, Endpoint connect, RuleOptions options, AccessList access) {

    @Override
    public String toString() {
        return bind + " -> " + connect;
    }
}
