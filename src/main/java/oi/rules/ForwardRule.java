package oi.rules;

import java.nio.file.Path;

/**
 * One forwarding rule of the rules file: where to listen, where to forward, its options and
 * the access patterns that follow it.
 *
 * @param file the rules file it came from (the included one, for rules read through {@code include})
 * @param line its line in that file, for messages
 */
public record ForwardRule(Path file, int line, Endpoint bind, Endpoint connect, RuleOptions options, AccessList access) {

    /**
     * Identifies the listener this rule needs, so a reload keeps a socket whose address did not
     * change. A bind port of 0 (any free port) is told apart by its line instead.
     */
    public String listenKey() {
        return bind.port() == 0 ? bind.listenKey() + " line " + line : bind.listenKey();
    }

    /** Where the rule was written, as {@code file:line}. */
    public String location() {
        return file + ":" + line;
    }

    @Override
    public String toString() {
        return bind + " -> " + connect;
    }
}
