package oi.rules;

import java.nio.file.Path;
import java.util.List;

/**
 * One forwarding rule of the rules file: where to listen, the backends to forward to, its options
 * and the access patterns that follow it.
 *
 * @param file the rules file it came from (the included one, for rules read through {@code include})
 * @param line its line in that file, for messages
 * @param backends the rule's own connect address first, then one per {@code backend} line after it
 */
public record ForwardRule(Path file, int line, Endpoint bind, List<Backend> backends, RuleOptions options, AccessList access) {

    /**
     * One place a rule forwards to: the rule's connect address, or a {@code backend ADDRESS PORT
     * [weight=N,backup]} line after the rule.
     *
     * @param weight its share of new clients against the others, at least 1
     * @param backup whether it serves only while no other backend is up
     */
    public record Backend(Endpoint endpoint, int weight, boolean backup) {

        /** The rule's own connect address, or a backend line without options. */
        public static Backend of(Endpoint endpoint) {
            return new Backend(endpoint, 1, false);
        }

        @Override
        public String toString() {
            return endpoint + (weight == 1 ? "" : " weight=" + weight) + (backup ? " backup" : "");
        }
    }

    /** A rule with copies of the lists, so that a rule never changes once made. */
    public ForwardRule {
        backends = List.copyOf(backends);
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a rule needs a connect address");
        }
    }

    /** A rule with the one backend of its connect address, as rinetd has it. */
    public ForwardRule(Path file, int line, Endpoint bind, Endpoint connect, RuleOptions options, AccessList access) {
        this(file, line, bind, List.of(Backend.of(connect)), options, access);
    }

    /** The rule's own connect address: its first backend, the one its log lines name when no other served. */
    public Endpoint connect() {
        return backends.get(0).endpoint();
    }

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
     * their protocol (and the address a host name was looked up to), the options that are set, the
     * further backends and the rule's own allow and deny patterns. The one place that line is made.
     */
    public String summary() {
        StringBuilder line = new StringBuilder(location()).append(": ").append(shown(bind)).append(" -> ").append(shown(connect()));
        String written = options.written();
        if (!written.isEmpty()) {
            line.append(' ').append(written);
        }
        backends.stream().skip(1).forEach(backend -> line.append(" backend ").append(shown(backend.endpoint()))
                .append(backend.weight() == 1 ? "" : " weight=" + backend.weight()).append(backend.backup() ? " backup" : ""));
        access.allow().forEach(pattern -> line.append(" allow ").append(pattern.text()));
        access.deny().forEach(pattern -> line.append(" deny ").append(pattern.text()));
        return line.toString();
    }

    /** One side with its protocol named: the rules file (and so toString) leaves TCP implicit. */
    private static String shown(Endpoint side) {
        return switch (side) {
            case Endpoint.Unix unix -> unix.host();
            case Endpoint.Inet inet -> inet + (inet.protocol() == Endpoint.Protocol.TCP ? "/tcp" : "")
                    + (inet.named() ? " (" + Addresses.text(inet.address()) + ")" : "");
        };
    }

    @Override
    public String toString() {
        return bind + " -> " + connect() + (backends.size() == 1 ? "" : " (+" + (backends.size() - 1) + " backends)");
    }
}
