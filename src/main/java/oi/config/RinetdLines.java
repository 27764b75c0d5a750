package oi.config;

import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import oi.rules.AddressPattern;
import oi.rules.Endpoint.Protocol;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;
import oi.rules.HostAndPort;
import oi.rules.LogTarget;
import oi.rules.ProxyProtocol;
import oi.rules.RuleOptions;

/**
 * One file in rinetd's rules-file language ({@code man rinetd}), read line by line into a
 * {@link ConfigBuilder}: a forwarding rule {@code bindaddress bindport connectaddress connectport
 * [options]}, {@code allow}/{@code deny PATTERN}, {@code logfile PATH} (or {@code syslog:[HOST:PORT]}),
 * {@code pidlogfile PATH}, {@code logcommon}, {@code include} and {@code backend ADDRESS PORT [options]} (one
 * more backend of the rule above); {@code #} starts a comment.
 *
 * <p>A reader serves one file, so its line number is its own: an included file gets a reader of
 * its own, and nothing is saved or restored around it.
 */
final class RinetdLines {
    private static final String RULE_SHAPE = "a forwarding rule is \"bindaddress bindport connectaddress connectport [options]\", got ";

    private final Path file;
    private final ConfigBuilder builder;
    private final Includes includes;
    private final Words words;
    private int line;

    /** A reader of {@code file} that adds what it reads to {@code builder} and reads its includes through {@code includes}. */
    RinetdLines(Path file, ConfigBuilder builder, Includes includes) {
        this.file = file;
        this.builder = builder;
        this.includes = includes;
        this.words = includes.words(this::error);
    }

    /** Reads the whole text of the file. */
    void read(String text) {
        String[] lines = text.split("\r?\n|\r", -1);
        for (line = 1; line <= lines.length; line++) {
            readLine(lines[line - 1]);
        }
    }

    private void readLine(String raw) {
        int hash = raw.indexOf('#');
        String content = (hash < 0 ? raw : raw.substring(0, hash)).strip();
        if (content.isEmpty()) {
            return;
        }
        List<String> tokens = Words.tokenize(content);
        String keyword = tokens.get(0).toLowerCase(Locale.ROOT);
        switch (keyword) {
            case "allow", "deny" -> accessPattern(keyword.equals("allow"), tokens);
            case "logfile" -> logFile(argument(keyword, content));
            case "pidlogfile" -> {
                Path path = path(keyword, argument(keyword, content));
                if (path != null) {
                    builder.pidLogFile(path);
                }
            }
            case "include" -> includes.include(file, line, argument(keyword, content), this::error);
            case "logcommon" -> {
                if (tokens.size() != 1) {
                    error("logcommon takes no argument, got " + Words.show(tokens.get(1)));
                }
                builder.logCommon();
            }
            case "backend" -> {
                if (hasRuleShape(tokens)) {
                    forwardingRule(tokens); // a host named "backend": rinetd reads that line as a rule, and so does oi
                } else {
                    backend(tokens);
                }
            }
            default -> {
                if (tokens.size() == 4 || tokens.size() == 5
                        || tokens.stream().limit(3).anyMatch(token -> token.startsWith(Endpoint.UNIX_PREFIX))) {
                    forwardingRule(tokens);
                } else if (Words.looksLikeAddress(tokens.get(0))) {
                    error(RULE_SHAPE + Words.show(content));
                } else {
                    error("unknown directive " + Words.show(tokens.get(0)));
                }
            }
        }
    }

    /** Whether a line has the four words of a rule and options, if any, at the end (not a backend's). */
    private static boolean hasRuleShape(List<String> tokens) {
        return tokens.size() == 5 || tokens.size() == 4 && !tokens.get(3).startsWith("[");
    }

    /** {@code backend ADDRESS PORT [weight=N,backup]} or {@code backend unix:/path [...]}: one more backend of the rule above. */
    private void backend(List<String> tokens) {
        Protocol ruleProtocol = builder.backendProtocol(file, line);
        if (ruleProtocol == null) {
            return; // no rule above, or a broken one: said once already
        }
        boolean unix = tokens.size() > 1 && tokens.get(1).startsWith(Endpoint.UNIX_PREFIX);
        int words = unix ? 2 : 3;
        if (tokens.size() < words || tokens.size() > words + 1 || tokens.size() == words + 1 && !tokens.get(words).startsWith("[")) {
            error("a backend is \"backend address port [weight=N,backup]\", got " + Words.show(String.join(" ", tokens)));
            return;
        }
        Endpoint endpoint = unix ? unixPath(tokens.get(1))
                : this.words.endpoint(tokens.get(1), tokens.get(2), tokens.get(2).indexOf('/') < 0 ? ruleProtocol : null, false);
        if (endpoint != null) {
            builder.backend(file, line, tokens.size() > words ? this.words.backend(endpoint, tokens.get(words))
                                                                : ForwardRule.Backend.of(endpoint));
        }
    }

    private void accessPattern(boolean allow, List<String> tokens) {
        if (tokens.size() != 2) {
            error(tokens.get(0) + " takes one pattern, e.g. \"" + tokens.get(0) + " 192.168.1.*\"");
            return;
        }
        try {
            builder.access(allow, AddressPattern.parse(tokens.get(1)));
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
        }
    }

    /** {@code logfile PATH}, or {@code logfile syslog:} (127.0.0.1:514) or {@code logfile syslog:HOST:PORT}. */
    private void logFile(String argument) {
        if (!argument.startsWith(LogTarget.SYSLOG_PREFIX)) {
            Path path = path("logfile", argument);
            if (path != null) {
                builder.logFile(new LogTarget.File(path));
            }
            return;
        }
        String address = argument.substring(LogTarget.SYSLOG_PREFIX.length());
        if (address.isEmpty()) {
            builder.logFile(LogTarget.Syslog.LOCAL);
            return;
        }
        try {
            HostAndPort syslogd = HostAndPort.parse("syslog target", address);
            try {
                builder.logFile(new LogTarget.Syslog(syslogd.resolve(includes.resolver())));
            } catch (UnknownHostException e) {
                error("cannot resolve host " + Words.show(syslogd.host()));
            }
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
        }
    }

    private static String argument(String keyword, String content) {
        return content.substring(keyword.length()).strip();
    }

    private Path path(String keyword, String argument) {
        if (argument.isEmpty()) {
            error(keyword + " needs a path");
            return null;
        }
        try {
            return Path.of(argument);
        } catch (RuntimeException e) {
            error("bad path " + Words.show(argument));
            return null;
        }
    }

    /**
     * {@code bindaddress bindport connectaddress connectport [options]}, where either side may
     * instead be one {@code unix:/path} token standing for address and port together.
     */
    private void forwardingRule(List<String> tokens) {
        Sides sides = new Sides(tokens);
        Endpoint bind = sides.next(true);
        int bindPorts = sides.ports;
        Endpoint connect = sides.next(false);
        int connectPorts = sides.ports;
        RuleOptions options = RuleOptions.DEFAULTS;
        if (sides.left() == 1) {
            options = words.options(sides.rest());
        } else if (sides.left() > 1) {
            error(RULE_SHAPE + Words.show(String.join(" ", tokens)));
        }
        if (bind == null || connect == null || !consistent(bind, connect, options)) {
            builder.brokenRule();
            return;
        }
        builder.rule(file, line, bind, bindPorts, connect, connectPorts, options);
    }

    /** Whether the two sides and the options fit together; says why not, once per problem. */
    private boolean consistent(Endpoint bind, Endpoint connect, RuleOptions options) {
        boolean streams = bind.protocol() == Protocol.TCP && connect.protocol() == Protocol.TCP;
        boolean ok = true;
        if ((bind instanceof Endpoint.Unix || connect instanceof Endpoint.Unix) && !streams) {
            error("unix: sockets are streams: the other side must be TCP");
            ok = false;
        }
        String streamsOnly = options.proxy() != ProxyProtocol.NONE ? "proxy"
                : options.accept().version() != ProxyProtocol.NONE ? "acceptproxy"
                : options.rates().perConnection() > 0 ? "rate" : options.rates().perRule() > 0 ? "rulerate" : null;
        if (streamsOnly != null && !streams) {
            error(streamsOnly + "= applies to TCP-to-TCP rules only");
            ok = false;
        }
        if (options.accept().from() != null && options.accept().version() == ProxyProtocol.NONE) {
            error("proxyfrom= names the peers whose PROXY headers are believed: it needs acceptproxy=");
            ok = false;
        }
        return ok;
    }

    /** The tokens of a rule, read side by side: two words for an IP side, one for {@code unix:/path}. */
    private final class Sides {
        private final List<String> tokens;
        private int next;
        /** How many ports the side read last stands for: a range's length, else 1. */
        int ports;

        Sides(List<String> tokens) {
            this.tokens = tokens;
        }

        /** The next side, or null (with an error) when it is wrong or missing. */
        Endpoint next(boolean isBind) {
            if (next >= tokens.size()) {
                return missing();
            }
            String first = tokens.get(next++);
            ports = 1;
            if (first.startsWith(Endpoint.UNIX_PREFIX)) {
                return unixPath(first);
            }
            if (next >= tokens.size()) {
                return missing();
            }
            ports = Words.ports(tokens.get(next));
            return words.endpoint(first, tokens.get(next++), null, isBind);
        }

        /** Tokens after the sides read so far. */
        int left() {
            return tokens.size() - next;
        }

        /** The one token after both sides: the options. */
        String rest() {
            return tokens.get(next);
        }

        private Endpoint missing() {
            error(RULE_SHAPE + Words.show(String.join(" ", tokens)));
            return null;
        }
    }

    /** A {@code unix:/path} word, or null (with an error) when the path is empty or has a NUL. */
    private Endpoint unixPath(String token) {
        String path = token.substring(Endpoint.UNIX_PREFIX.length());
        if (path.isEmpty() || path.indexOf('\0') >= 0) {
            error("bad unix socket path " + Words.show(token));
            return null;
        }
        return new Endpoint.Unix(Path.of(path));
    }

    private void error(String message) {
        builder.error(file, line, message);
    }
}
