package oi.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import oi.acl.AccessList;
import oi.acl.AddressPattern;

/**
 * Reads rinetd's rules-file language ({@code man rinetd}) into a {@link Config}.
 *
 * <p>Each line is one directive: a forwarding rule {@code bindaddress bindport connectaddress
 * connectport [options]}, {@code allow}/{@code deny PATTERN}, {@code logfile PATH} (or {@code syslog:[HOST:PORT]}),
 * {@code pidlogfile PATH} or {@code logcommon}; {@code #} starts a comment. Every problem is
 * collected with its line, so one run reports all of them.
 */
public final class ConfigParser {

    /** Turns a host name into an address; a seam so tests need no DNS. */
    @FunctionalInterface
    public interface Resolver {
        /** Resolves one host name, as {@link InetAddress#getByName} does. */
        InetAddress resolve(String host) throws UnknownHostException;
    }

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern DOTTED_NUMBERS = Pattern.compile("[0-9.]+");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})");
    private static final Pattern SERVICE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._+-]*");
    private static final int SHOWN_TEXT_LIMIT = 60;

    private final Resolver resolver;
    private final Services services;

    /** A parser that resolves names with the system resolver and {@code /etc/services}. */
    public ConfigParser() {
        this(InetAddress::getByName, Services.system());
    }

    /** A parser with its own resolver and services table. */
    public ConfigParser(Resolver resolver, Services services) {
        this.resolver = resolver;
        this.services = services;
    }

    /** Reads and parses a rules file. */
    public Config parse(Path file) throws ConfigException {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            String reason = Files.exists(file) ? "cannot read the rules file (" + e.getMessage() + ")"
                                               : "no such rules file";
            throw new ConfigException(List.of(new ConfigError(file, 0, reason)));
        }
        return parse(file, text);
    }

    /**
     * Parses rules-file text; {@code file} names it in messages, and a name ending in
     * {@code .toml} means oxidinetd's TOML format instead of rinetd's lines.
     */
    public Config parse(Path file, String text) throws ConfigException {
        return new Reading(file).read(text);
    }

    /** The state of one parse: what has been read so far and what went wrong. */
    private final class Reading {
        private static final int MAX_INCLUDE_DEPTH = 16;
        private final Path source;
        private final List<ConfigError> errors = new ArrayList<>();
        private final List<AddressPattern> globalAllow = new ArrayList<>();
        private final List<AddressPattern> globalDeny = new ArrayList<>();
        private final List<PendingRule> rules = new ArrayList<>();
        private final Map<String, PendingRule> listeners = new HashMap<>();
        private final List<Path> including = new ArrayList<>();
        private LogTarget logFile;
        private boolean logCommon;
        private Path pidLogFile;
        private Path file;
        private int line;

        Reading(Path source) {
            this.source = source;
            this.file = source;
        }

        Config read(String text) throws ConfigException {
            including.add(source.toAbsolutePath().normalize());
            readText(text);
            if (!errors.isEmpty()) {
                throw new ConfigException(errors);
            }
            List<ForwardRule> built = new ArrayList<>();
            for (PendingRule rule : rules) {
                built.add(new ForwardRule(rule.file, rule.line, rule.bind, rule.connect, rule.options,
                        new AccessList(rule.allow, rule.deny)));
            }
            return new Config(source, built, new AccessList(globalAllow, globalDeny), logFile, logCommon, pidLogFile);
        }

        private void readText(String text) {
            if (file.toString().endsWith(".toml")) {
                // Each TOML table becomes the rinetd line it means, checked as if written on its header's line.
                for (TomlRules.Line translated : TomlRules.translate(text, (number, message) -> {
                    line = number;
                    error(message);
                })) {
                    line = translated.number();
                    readLine(translated.text());
                }
                return;
            }
            String[] lines = text.split("\r?\n|\r", -1);
            for (line = 1; line <= lines.length; line++) {
                readLine(lines[line - 1]);
            }
        }

        /**
         * {@code include PATH}: a file, or a glob in its last part ({@code /etc/oi.d/*.conf}, in name
         * order), read as if its lines stood here; a relative path is taken from the including file.
         */
        private void include(String content) {
            String argument = content.substring("include".length()).strip();
            if (argument.isEmpty()) {
                error("include needs a path or a glob, e.g. include /etc/oi.d/*.conf");
                return;
            }
            Path pattern;
            try {
                Path parent = file.toAbsolutePath().getParent();
                pattern = parent == null ? Path.of(argument) : parent.resolve(argument);
            } catch (RuntimeException e) {
                error("bad path " + show(argument));
                return;
            }
            List<Path> files = new ArrayList<>();
            String name = pattern.getFileName() == null ? "" : pattern.getFileName().toString();
            if (name.matches(".*[*?\\[{].*")) {
                java.nio.file.PathMatcher matcher;
                try {
                    matcher = pattern.getFileSystem().getPathMatcher("glob:" + name);
                } catch (RuntimeException e) { // java.util.regex.PatternSyntaxException for a broken glob
                    error("bad glob " + show(argument));
                    return;
                }
                try (var listing = Files.list(pattern.getParent())) {
                    listing.filter(p -> matcher.matches(p.getFileName()) && Files.isRegularFile(p)).sorted().forEach(files::add);
                } catch (IOException e) {
                    error("cannot list " + show(pattern.getParent().toString()) + " for include");
                    return;
                }
            } else {
                files.add(pattern);
            }
            for (Path included : files) {
                readIncluded(included);
            }
        }

        private void readIncluded(Path included) {
            Path canonical = included.toAbsolutePath().normalize();
            if (including.contains(canonical)) {
                error("include cycle: " + show(included.toString()) + " is already being read");
                return;
            }
            if (including.size() >= MAX_INCLUDE_DEPTH) {
                error("includes nested deeper than " + MAX_INCLUDE_DEPTH);
                return;
            }
            String text;
            try {
                text = new String(Files.readAllBytes(included), StandardCharsets.UTF_8);
            } catch (IOException e) {
                error("cannot read included file " + show(included.toString()));
                return;
            }
            Path outerFile = file;
            int outerLine = line;
            including.add(canonical);
            file = included;
            readText(text);
            file = outerFile;
            line = outerLine;
            including.remove(including.size() - 1);
        }

        private void readLine(String raw) {
            int hash = raw.indexOf('#');
            String content = (hash < 0 ? raw : raw.substring(0, hash)).strip();
            if (content.isEmpty()) {
                return;
            }
            List<String> tokens = tokenize(content);
            String keyword = tokens.get(0).toLowerCase(Locale.ROOT);
            switch (keyword) {
                case "allow", "deny" -> accessPattern(keyword.equals("allow"), tokens);
                case "logfile" -> logFile = logTarget(content);
                case "pidlogfile" -> pidLogFile = pathArgument(keyword, content);
                case "include" -> include(content);
                case "logcommon" -> {
                    if (tokens.size() != 1) {
                        error("logcommon takes no argument, got " + show(tokens.get(1)));
                    }
                    logCommon = true;
                }
                default -> {
                    if (tokens.size() == 4 || tokens.size() == 5
                            || tokens.stream().limit(3).anyMatch(token -> token.startsWith(Endpoint.UNIX_PREFIX))) {
                        forwardingRule(tokens);
                    } else if (looksLikeAddress(tokens.get(0))) {
                        error("a forwarding rule is \"bindaddress bindport connectaddress connectport [options]\", got "
                                + show(content));
                    } else {
                        error("unknown directive " + show(tokens.get(0)));
                    }
                }
            }
        }

        private void accessPattern(boolean allow, List<String> tokens) {
            if (tokens.size() != 2) {
                error(tokens.get(0) + " takes one pattern, e.g. \"" + tokens.get(0) + " 192.168.1.*\"");
                return;
            }
            AddressPattern pattern;
            try {
                pattern = AddressPattern.parse(tokens.get(1));
            } catch (IllegalArgumentException e) {
                error(e.getMessage());
                return;
            }
            // rinetd: patterns before the first forwarding rule are global, later ones belong to the rule above.
            if (rules.isEmpty()) {
                (allow ? globalAllow : globalDeny).add(pattern);
            } else {
                PendingRule last = rules.get(rules.size() - 1);
                (allow ? last.allow : last.deny).add(pattern);
            }
        }

        /** {@code logfile PATH}, or {@code logfile syslog:} (127.0.0.1:514) or {@code logfile syslog:HOST:PORT}. */
        private LogTarget logTarget(String content) {
            String argument = content.substring("logfile".length()).strip();
            if (!argument.startsWith(LogTarget.SYSLOG_PREFIX)) {
                Path path = pathArgument("logfile", content);
                return path == null ? null : new LogTarget.File(path);
            }
            String address = argument.substring(LogTarget.SYSLOG_PREFIX.length());
            if (address.isEmpty()) {
                return LogTarget.Syslog.LOCAL;
            }
            HostAndPort syslogd;
            try {
                syslogd = HostAndPort.parse("syslog target", address);
            } catch (IllegalArgumentException e) {
                error(e.getMessage());
                return null;
            }
            try {
                return new LogTarget.Syslog(syslogd.resolve(resolver));
            } catch (UnknownHostException e) {
                error("cannot resolve host " + show(syslogd.host()));
                return null;
            }
        }

        private Path pathArgument(String keyword, String content) {
            String argument = content.substring(keyword.length()).strip();
            if (argument.isEmpty()) {
                error(keyword + " needs a path");
                return null;
            }
            try {
                return Path.of(argument);
            } catch (RuntimeException e) {
                error("bad path " + show(argument));
                return null;
            }
        }

        /**
         * {@code bindaddress bindport connectaddress connectport [options]}, where either side may
         * instead be one {@code unix:/path} token standing for address and port together.
         */
        private void forwardingRule(List<String> tokens) {
            int errorsBefore = errors.size();
            int[] next = {0};
            Endpoint bind = side(tokens, next, true);
            Endpoint connect = side(tokens, next, false);
            RuleOptions options = RuleOptions.DEFAULTS;
            if (tokens.size() - next[0] == 1) {
                options = options(tokens.get(next[0]));
            } else if (tokens.size() - next[0] > 1) {
                error("a forwarding rule is \"bindaddress bindport connectaddress connectport [options]\", got "
                        + show(String.join(" ", tokens)));
            }
            if (bind != null && connect != null) {
                boolean unix = bind instanceof Endpoint.Unix || connect instanceof Endpoint.Unix;
                if (unix && (bind.protocol() != Protocol.TCP || connect.protocol() != Protocol.TCP)) {
                    error("unix: sockets are streams: the other side must be TCP");
                }
                if (options.proxy() != ProxyProtocol.NONE && (bind.protocol() != Protocol.TCP || connect.protocol() != Protocol.TCP)) {
                    error("proxy= applies to TCP-to-TCP rules only");
                }
            }
            if (errors.size() > errorsBefore) {
                rules.add(new PendingRule(file, line, null, null, null)); // keeps later allow/deny lines attached to a rule, not global
                return;
            }
            PendingRule rule = new PendingRule(file, line, bind, connect, options);
            PendingRule earlier = bind instanceof Endpoint.Inet inet && inet.port() == 0 ? null : listeners.putIfAbsent(bind.listenKey(), rule);
            if (earlier != null) {
                error("bind address " + bind + " is already used by the rule at "
                        + (earlier.file.equals(file) ? "line " + earlier.line : earlier.file + ":" + earlier.line));
            }
            rules.add(rule);
        }

        /** One side of a rule starting at {@code next[0]}, which it advances; null (with an error) when wrong. */
        private Endpoint side(List<String> tokens, int[] next, boolean isBind) {
            if (next[0] >= tokens.size()) {
                error("a forwarding rule is \"bindaddress bindport connectaddress connectport [options]\", got "
                        + show(String.join(" ", tokens)));
                return null;
            }
            String first = tokens.get(next[0]++);
            if (first.startsWith(Endpoint.UNIX_PREFIX)) {
                String path = first.substring(Endpoint.UNIX_PREFIX.length());
                if (path.isEmpty() || path.indexOf('\0') >= 0) {
                    error("bad unix socket path " + show(first));
                    return null;
                }
                return new Endpoint.Unix(Path.of(path));
            }
            if (next[0] >= tokens.size()) {
                error("a forwarding rule is \"bindaddress bindport connectaddress connectport [options]\", got "
                        + show(String.join(" ", tokens)));
                return null;
            }
            InetAddress address = address(first);
            Port port = port(tokens.get(next[0]++), isBind);
            return address == null || port == null ? null : new Endpoint.Inet(unbracket(first), address, port.number, port.protocol);
        }

        private InetAddress address(String token) {
            String host = unbracket(token);
            boolean bracketed = host.length() != token.length();
            try {
                if (host.indexOf(':') >= 0) {
                    if (!host.matches("[0-9a-fA-F:.]+(%[A-Za-z0-9_.-]+)?")) {
                        throw new UnknownHostException();
                    }
                    return InetAddress.getByName(host); // an IPv6 literal: parsed, never looked up
                }
                if (bracketed) {
                    error("bad address " + show(token) + ": brackets hold an IPv6 address");
                    return null;
                }
                if (DOTTED_NUMBERS.matcher(host).matches()) {
                    if (!IPV4.matcher(host).matches()) {
                        throw new UnknownHostException();
                    }
                    return InetAddress.getByName(host);
                }
            } catch (UnknownHostException e) {
                error("bad address " + show(token));
                return null;
            }
            if (!HOST_NAME.matcher(host).matches()) {
                error("bad address " + show(token));
                return null;
            }
            try {
                return resolver.resolve(host);
            } catch (UnknownHostException e) {
                error("cannot resolve host " + show(host));
                return null;
            }
        }

        private Port port(String token, boolean isBind) {
            int slash = token.indexOf('/');
            String number = slash < 0 ? token : token.substring(0, slash);
            Protocol protocol = Protocol.TCP; // rinetd: each side defaults to TCP on its own
            if (slash >= 0) {
                String name = token.substring(slash + 1).toLowerCase(Locale.ROOT);
                if (name.equals("tcp")) {
                    protocol = Protocol.TCP;
                } else if (name.equals("udp")) {
                    protocol = Protocol.UDP;
                } else {
                    error("unknown protocol " + show(token.substring(slash + 1)) + " (use /tcp or /udp)");
                    return null;
                }
            }
            if (number.matches("\\d{1,9}")) {
                int value = Integer.parseInt(number);
                // Port 0 on the bind side asks for any free port: useful for tests, never for rinetd files.
                if (value > 65535 || (value == 0 && !isBind)) {
                    error("port " + show(number) + " out of range (1-65535)");
                    return null;
                }
                return new Port(value, protocol);
            }
            if (!SERVICE_NAME.matcher(number).matches()) {
                error("bad port " + show(number));
                return null;
            }
            OptionalInt known = services.port(number, protocol);
            if (known.isEmpty()) {
                error("unknown service " + show(number) + " for " + protocol.suffix() + " (not in /etc/services)");
                return null;
            }
            return new Port(known.getAsInt(), protocol);
        }

        private RuleOptions options(String token) {
            if (!token.startsWith("[") || !token.endsWith("]")) {
                error("options go in brackets, e.g. [timeout=60,src=10.0.0.1], got " + show(token));
                return RuleOptions.DEFAULTS;
            }
            int timeout = RuleOptions.DEFAULT_UDP_TIMEOUT_SECONDS;
            InetAddress source = null;
            int maxConns = 0;
            int idle = RuleOptions.INHERIT;
            ProxyProtocol proxy = ProxyProtocol.NONE;
            for (String item : token.substring(1, token.length() - 1).split(",", -1)) {
                String option = item.strip();
                int equals = option.indexOf('=');
                String key = equals < 0 ? option : option.substring(0, equals).strip().toLowerCase(Locale.ROOT);
                String value = equals < 0 ? "" : option.substring(equals + 1).strip();
                switch (key) {
                    case "timeout" -> timeout = count(value, 1, "timeout must be a whole number of seconds above 0");
                    case "maxconns" -> maxConns = count(value, 1, "maxconns must be a whole number above 0");
                    case "idle" -> idle = count(value, 0, "idle must be a whole number of seconds, 0 for never");
                    case "proxy" -> {
                        switch (value.toLowerCase(Locale.ROOT)) {
                            case "v1" -> proxy = ProxyProtocol.V1;
                            case "v2" -> proxy = ProxyProtocol.V2;
                            default -> error("proxy must be v1 or v2, got " + show(value));
                        }
                    }
                    case "src" -> {
                        if (value.isEmpty()) {
                            error("src needs an address, e.g. src=10.0.0.1");
                        } else {
                            source = address(value);
                        }
                    }
                    default -> error("unknown option " + show(option) + " (known: timeout=N, src=ADDRESS, maxconns=N, idle=N, proxy=VERSION)");
                }
            }
            return new RuleOptions(timeout, source, maxConns, idle, proxy);
        }

        /** A whole number of at least {@code min}, or the error's text and {@code min} when it is not. */
        private int count(String value, int min, String message) {
            if (value.matches("\\d{1,9}") && Integer.parseInt(value) >= min) {
                return Integer.parseInt(value);
            }
            error(message + ", got " + show(value));
            return min;
        }

        private void error(String message) {
            errors.add(new ConfigError(file, line, message));
        }
    }

    /** A forwarding rule whose own allow/deny lines may still follow. */
    private static final class PendingRule {
        final Path file;
        final int line;
        final Endpoint bind;
        final Endpoint connect;
        final RuleOptions options;
        final List<AddressPattern> allow = new ArrayList<>();
        final List<AddressPattern> deny = new ArrayList<>();

        PendingRule(Path file, int line, Endpoint bind, Endpoint connect, RuleOptions options) {
            this.file = file;
            this.line = line;
            this.bind = bind;
            this.connect = connect;
            this.options = options;
        }
    }

    private record Port(int number, Protocol protocol) {
    }

    /** Splits on white space, keeping a bracketed group such as {@code [timeout=5, src=::1]} whole. */
    static List<String> tokenize(String content) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            if (Character.isWhitespace(c) && depth == 0) {
                if (!current.isEmpty()) {
                    tokens.add(current.toString());
                    current.setLength(0);
                }
                continue;
            }
            if (c == '[') {
                depth++;
            } else if (c == ']' && depth > 0) {
                depth--;
            }
            current.append(c);
        }
        if (!current.isEmpty()) {
            tokens.add(current.toString());
        }
        return tokens;
    }

    private static boolean looksLikeAddress(String token) {
        return token.startsWith("[") || token.indexOf(':') >= 0 || DOTTED_NUMBERS.matcher(token).matches()
                || token.indexOf('.') > 0;
    }

    private static String unbracket(String token) {
        return token.length() > 2 && token.startsWith("[") && token.endsWith("]")
                ? token.substring(1, token.length() - 1) : token;
    }

    /** Quotes user text for a message, cut short and with control characters made visible. */
    static String show(String text) {
        StringBuilder shown = new StringBuilder("\"");
        text.codePoints().limit(SHOWN_TEXT_LIMIT).forEach(c ->
                shown.append(Character.isISOControl(c) ? String.format("\\x%02x", c) : Character.toString(c)));
        if (text.codePointCount(0, text.length()) > SHOWN_TEXT_LIMIT) {
            shown.append("...");
        }
        return shown.append('"').toString();
    }
}
