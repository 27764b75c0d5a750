package oi.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import oi.rules.AccessList;
import oi.rules.AddressPattern;
import oi.rules.Config;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;
import oi.rules.LogTarget;
import oi.rules.RuleOptions;

/**
 * What one parse has found so far, in whatever format and through however many includes: the
 * rules, the access patterns, the log settings and every error. The readers hand it each
 * directive as they read it; it keeps rinetd's rule that an {@code allow} or {@code deny} line
 * belongs to the rule above it, or to all rules before the first one.
 */
final class ConfigBuilder {
    private final Path source;
    private final List<ConfigError> errors = new ArrayList<>();
    private final Patterns global = new Patterns();
    private final List<Draft> rules = new ArrayList<>();
    private final Map<String, Draft> binds = new HashMap<>();
    private Patterns current = global;
    private LogTarget logFile;
    private boolean logCommon;
    private Path pidLogFile;

    /** The allow and deny patterns of one level as they are read. */
    private static final class Patterns {
        final List<AddressPattern> allow = new ArrayList<>();
        final List<AddressPattern> deny = new ArrayList<>();

        AccessList toAccessList() {
            return new AccessList(allow, deny);
        }
    }

    /** A forwarding rule whose own allow and deny lines may still follow. */
    private record Draft(Path file, int line, Endpoint bind, Endpoint connect, RuleOptions options, Patterns access) {
    }

    /** A parse of {@code source}, the file named on the command line. */
    ConfigBuilder(Path source) {
        this.source = source;
    }

    /** Notes a problem at {@code file:line}; the parse goes on, so that one run reports them all. */
    void error(Path file, int line, String message) {
        errors.add(new ConfigError(file, line, message));
    }

    /** Adds a rule read at {@code file:line}; a bind address already taken is an error at this line. */
    void rule(Path file, int line, Endpoint bind, Endpoint connect, RuleOptions options) {
        Draft rule = new Draft(file, line, bind, connect, options, new Patterns());
        boolean anyPort = bind instanceof Endpoint.Inet inet && inet.port() == 0; // port 0: a new free port each
        Draft earlier = anyPort ? null : binds.putIfAbsent(bind.listenKey(), rule);
        if (earlier != null) {
            error(file, line, "bind address " + bind + " is already used by the rule at "
                    + (earlier.file.equals(file) ? "line " + earlier.line : earlier.file + ":" + earlier.line));
        }
        rules.add(rule);
        current = rule.access;
    }

    /** A rule line too wrong to keep: the access lines after it still belong to it, not to every rule. */
    void brokenRule() {
        current = new Patterns();
    }

    /** An {@code allow} or {@code deny} pattern, for the rule above or, before the first rule, for all. */
    void access(boolean allow, AddressPattern pattern) {
        (allow ? current.allow : current.deny).add(pattern);
    }

    /** {@code logfile}: where connection lines go. */
    void logFile(LogTarget target) {
        logFile = target;
    }

    /** {@code logcommon}: the Apache common-log layout. */
    void logCommon() {
        logCommon = true;
    }

    /** {@code pidlogfile}: where the pid is written. */
    void pidLogFile(Path path) {
        pidLogFile = path;
    }

    /** The config, or every error found, in the order they were found. */
    Config build() throws ConfigException {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        List<ForwardRule> built = rules.stream().map(rule -> new ForwardRule(rule.file, rule.line, rule.bind, rule.connect,
                rule.options, rule.access.toAccessList())).toList();
        return new Config(source, built, global.toAccessList(), logFile, logCommon, pidLogFile);
    }
}
