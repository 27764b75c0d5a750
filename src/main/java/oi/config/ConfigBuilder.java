package oi.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import oi.rules.AccessList;
import oi.rules.AddressPattern;
import oi.rules.Addresses;
import oi.rules.Config;
import oi.rules.Endpoint;
import oi.rules.ForwardRule.Backend;
import oi.rules.ForwardRule;
import oi.rules.LogTarget;
import oi.rules.RuleOptions;

/**
 * What one parse has found so far, in whatever format and through however many includes: the
 * rules, the access patterns, the log settings and every error. The readers hand it each
 * directive as they read it; it keeps rinetd's rule that an {@code allow} or {@code deny} line
 * belongs to the rule above it, or to all rules before the first one, and oi's that a
 * {@code backend} line belongs to the rule above it.
 */
final class ConfigBuilder {
    /** Ports a UDP range may have: a UDP listener runs two platform threads. */
    static final int MAX_UDP_PORTS = 1000;

    private final Path source;
    private final List<ConfigError> errors = new ArrayList<>();
    private final Patterns global = new Patterns();
    private final List<Draft> rules = new ArrayList<>();
    private final Map<String, Draft> binds = new HashMap<>();
    private Patterns current = global;
    private List<Draft> currentRules = List.of(); // what backend lines add to: a rule, or a range's rules; none after a broken one
    private boolean anyRule;
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

    /** A forwarding rule whose own backend, allow and deny lines may still follow. */
    private record Draft(Path file, int line, Endpoint bind, List<Backend> backends, RuleOptions options, Patterns access) {
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
        rule(file, line, bind, 1, connect, 1, options);
    }

    /**
     * Adds the rules of a line whose ports may be ranges: {@code bindPorts} ports from the bind
     * port on, each to the connect port as far along ({@code connectPorts} the same), or all to
     * the one connect port ({@code connectPorts} 1). They share the access lines that follow.
     */
    void rule(Path file, int line, Endpoint bind, int bindPorts, Endpoint connect, int connectPorts, RuleOptions options) {
        anyRule = true;
        String problem = bindPorts == 1 && connectPorts > 1 ? "a connect port range needs a bind port range of the same length, got one bind"
                        + " port for " + connectPorts + " connect ports"
                : connectPorts != 1 && connectPorts != bindPorts ? "the port ranges differ in length: " + bindPorts
                        + " bind ports, " + connectPorts + " connect ports"
                : bind.protocol() == Endpoint.Protocol.UDP && bindPorts > MAX_UDP_PORTS ? "a UDP range may have at most "
                        + MAX_UDP_PORTS + " ports (each costs two threads), got " + bindPorts
                : bindPorts > 1 && options.health().checkSeconds() > 0 ? "check= on a port range would probe each backend once per"
                        + " port; a range takes passive health (maxfails=, failtimeout=)"
                : otherFamily(options, connect);
        if (problem != null) {
            error(file, line, problem);
            brokenRule();
            return;
        }
        Patterns access = new Patterns();
        List<Draft> drafts = new ArrayList<>(bindPorts);
        for (int i = 0; i < bindPorts; i++) {
            Endpoint from = i == 0 ? bind : ((Endpoint.Inet) bind).withPort(bind.port() + i);
            Endpoint to = i == 0 || connectPorts == 1 ? connect : ((Endpoint.Inet) connect).withPort(connect.port() + i);
            Draft rule = new Draft(file, line, from, new ArrayList<>(List.of(Backend.of(to))), options, access);
            boolean anyPort = from instanceof Endpoint.Inet inet && inet.port() == 0; // port 0: a new free port each
            Draft earlier = anyPort ? null : binds.putIfAbsent(from.listenKey(), rule);
            if (earlier != null) {
                error(file, line, "bind address " + from + " is already used by the rule at "
                        + (earlier.file.equals(file) ? "line " + earlier.line : earlier.file + ":" + earlier.line));
                brokenRule();
                return; // once per line, not once per port of a range
            }
            drafts.add(rule);
        }
        rules.addAll(drafts);
        current = access;
        currentRules = drafts;
    }

    /** A rule line too wrong to keep: the access and backend lines after it still belong to it, not to every rule. */
    void brokenRule() {
        current = new Patterns();
        currentRules = List.of();
        anyRule = true;
    }

    /**
     * The protocol of the connect side that a {@code backend} line at {@code file:line} adds to,
     * or null when there is no rule above it (an error here) or only a broken one (said already).
     */
    Endpoint.Protocol backendProtocol(Path file, int line) {
        if (!anyRule) {
            error(file, line, "a backend line belongs to the forwarding rule above it, and there is none");
        }
        return currentRules.isEmpty() ? null : currentRules.get(0).backends.get(0).endpoint().protocol();
    }

    /** One more backend of the rule above; one of another protocol, or one the rule has already, is an error at this line. */
    void backend(Path file, int line, Backend backend) {
        Draft rule = currentRules.get(0);
        boolean portForPort = currentRules.size() > 1
                && currentRules.get(1).backends.get(0).endpoint().port() != rule.backends.get(0).endpoint().port();
        Endpoint.Protocol protocol = rule.backends.get(0).endpoint().protocol();
        String otherFamily = otherFamily(rule.options, backend.endpoint());
        if (portForPort) {
            error(file, line, "a backend cannot follow a rule that maps a port range port for port");
        } else if (backend.endpoint().protocol() != protocol) {
            error(file, line, "backend " + backend.endpoint() + " is " + kind(backend.endpoint()) + ", but the rule connects over "
                    + protocol.suffix());
        } else if (rule.backends.stream().anyMatch(other -> other.endpoint().toString().equals(backend.endpoint().toString()))) {
            error(file, line, "backend " + backend.endpoint() + " is already a backend of this rule");
        } else if (otherFamily != null) {
            error(file, line, otherFamily);
        } else {
            currentRules.forEach(each -> each.backends.add(backend));
        }
    }

    /** Why no connect to {@code target} can leave from the rule's {@code src=} address, or null when one can (or a name decides later). */
    private static String otherFamily(RuleOptions options, Endpoint target) {
        InetAddress source = options.source();
        if (source == null || !(target instanceof Endpoint.Inet inet) || inet.named()
                || (source instanceof Inet4Address) == (inet.address() instanceof Inet4Address)) {
            return null;
        }
        return "src=" + Addresses.text(source) + " is " + family(source) + " and " + inet.host() + " is " + family(inet.address())
                + ": no connect can leave from it";
    }

    private static String family(InetAddress address) {
        return address instanceof Inet4Address ? "IPv4" : "IPv6";
    }

    private static String kind(Endpoint endpoint) {
        return endpoint instanceof Endpoint.Unix ? "a unix: socket" : endpoint.protocol().suffix();
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
        List<ForwardRule> built = rules.stream().map(rule -> new ForwardRule(rule.file, rule.line, rule.bind, rule.backends,
                rule.options, rule.access.toAccessList())).toList();
        return new Config(source, built, global.toAccessList(), logFile, logCommon, pidLogFile);
    }
}
