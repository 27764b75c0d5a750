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

    /**
     * The rule as {@code oi --check} prints it, in one line: where it was written, both sides with
     * their protocol (and the address a host name was looked up to), the options that are set and
     * the rule's own allow and deny patterns. The one place that line is made.
     */
    public String summary() {
        StringBuilder line = new StringBuilder(location()).append(": ").append(shown(bind)).append(" -> ").append(shown(connect));
        String written = options.written();
        if (!written.isEmpty()) {
            line.append(' ').append(written);
        }
        access.allow().forEach(pattern -> line.append(" allow ").append(pattern.text()));
        access.deny().forEach(pattern -> line.append(" deny ").append(pattern.text()));
        return line.toString();
    }

    /** One side with its protocol named: the rules file (and so toString) leaves TCP implicit. */
    private static String shown(Endpoint side) {
        return switch (side) {
            case Endpoint.Unix unix -> unix.host();
            case Endpoint.Inet inet -> inet + (inet.protocol() == Endpoint.Protocol.TCP ? "/tcp" : "")
                    + (inet.named() ? " (" + inet.address().getHostAddress() + ")" : "");
        };
    }

    @Override
    public String toString() {
        return bind + " -> " + connect;
    }
}
