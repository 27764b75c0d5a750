package oi.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import oi.rules.Endpoint.Protocol;
import oi.rules.Endpoint;
import oi.rules.HostAndPort;
import oi.rules.ProxyProtocol;
import oi.rules.ForwardRule.Backend;
import oi.rules.AddressPattern;
import oi.rules.RuleOptions.Accept;
import oi.rules.RuleOptions.Balance;
import oi.rules.RuleOptions.Health;
import oi.rules.RuleOptions.Rates;
import oi.rules.RuleOptions;
import oi.settings.ByteSize;

/**
 * The words a forwarding rule is made of, as both formats write them: an address (a literal, a
 * bracketed IPv6 address or a host name, looked up now), a port (a number, a range such as
 * {@code 10000-10999}, or a service name, with {@code /tcp} or {@code /udp}) and the bracketed
 * options. Each problem goes to the error sink with a message a user can act on, and the word
 * reads as null (or the option's default).
 */
final class Words {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern DOTTED_NUMBERS = Pattern.compile("[0-9.]+");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})");
    private static final Pattern PORT_RANGE = Pattern.compile("(\\d{1,9})-(\\d{1,9})");
    private static final Pattern SERVICE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._+-]*");
    private static final int SHOWN_TEXT_LIMIT = 60;

    private final HostAndPort.Resolver resolver;
    private final Services services;
    private final Consumer<String> errors;

    /** Words read with this resolver and services table, their problems told to {@code errors}. */
    Words(HostAndPort.Resolver resolver, Services services, Consumer<String> errors) {
        this.resolver = resolver;
        this.services = services;
        this.errors = errors;
    }

    /** A port and the protocol written after it. */
    record Port(int number, Protocol protocol) {
    }

    /**
     * An IP endpoint from its address and port words, or null once the error sink has heard why
     * not; the protocol is the port's {@code /tcp} or {@code /udp} when {@code protocol} is null.
     */
    Endpoint.Inet endpoint(String addressToken, String portToken, Protocol protocol, boolean isBind) {
        InetAddress address = address(addressToken);
        Port port = protocol == null ? port(portToken, isBind) : port(portToken, protocol, isBind);
        return address == null || port == null ? null
                : new Endpoint.Inet(unbracket(addressToken), address, port.number(), port.protocol());
    }

    /** An address literal, or a host name looked up now; null (with an error) when it is neither. */
    InetAddress address(String token) {
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

    /** A port written {@code NUMBER} or {@code SERVICE}, with an optional {@code /tcp} or {@code /udp}; null (with an error) when wrong. */
    Port port(String token, boolean isBind) {
        int slash = token.indexOf('/');
        if (slash < 0) {
            return port(token, Protocol.TCP, isBind); // rinetd: each side defaults to TCP on its own
        }
        String name = token.substring(slash + 1).toLowerCase(Locale.ROOT);
        return switch (name) {
            case "tcp" -> port(token.substring(0, slash), Protocol.TCP, isBind);
            case "udp" -> port(token.substring(0, slash), Protocol.UDP, isBind);
            default -> {
                error("unknown protocol " + show(token.substring(slash + 1)) + " (use /tcp or /udp)");
                yield null;
            }
        };
    }

    /** A port number, a range {@code FIRST-LAST} (its first port), or a service name of {@code protocol}; null (with an error) when none. */
    Port port(String number, Protocol protocol, boolean isBind) {
        Matcher range = PORT_RANGE.matcher(number);
        if (range.matches()) {
            Port first = port(range.group(1), protocol, false);
            Port last = port(range.group(2), protocol, false);
            if (first != null && last != null && first.number() >= last.number()) {
                error("port range " + show(number) + " must run upwards, e.g. 10000-10999");
                return null;
            }
            return first == null || last == null ? null : first;
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

    /** The bracketed options of a rule (see {@link RuleOptions}); the defaults for any that are wrong. */
    RuleOptions options(String token) {
        RuleOptions defaults = RuleOptions.DEFAULTS;
        int timeout = defaults.udpTimeoutSeconds();
        InetAddress source = null;
        int maxConns = 0;
        int idle = defaults.idleSeconds();
        ProxyProtocol proxy = defaults.proxy();
        ProxyProtocol acceptProxy = defaults.accept().version();
        AddressPattern proxyFrom = null;
        long rate = 0;
        long ruleRate = 0;
        Balance balance = defaults.balance();
        int check = defaults.health().checkSeconds();
        int maxFails = defaults.health().maxFails();
        int failTimeout = defaults.health().failTimeoutSeconds();
        for (Option option : bracketed(token, "[timeout=60,src=10.0.0.1]")) {
            switch (option.key()) {
                case "timeout" -> timeout = count(option.value(), 1, "timeout must be a whole number of seconds above 0");
                case "maxconns" -> maxConns = count(option.value(), 1, "maxconns must be a whole number above 0");
                case "idle" -> idle = count(option.value(), 0, "idle must be a whole number of seconds, 0 for never");
                case "proxy" -> proxy = choice(option, List.of(ProxyProtocol.V1, ProxyProtocol.V2), proxy);
                case "acceptproxy" -> acceptProxy = choice(option, List.of(ProxyProtocol.V1, ProxyProtocol.V2, ProxyProtocol.ANY),
                        acceptProxy);
                case "proxyfrom" -> proxyFrom = pattern(option);
                case "rate" -> rate = rate(option);
                case "rulerate" -> ruleRate = rate(option);
                case "balance" -> balance = choice(option, List.of(Balance.values()), balance);
                case "check" -> check = count(option.value(), 0, "check must be a whole number of seconds, 0 for passive checks only");
                case "maxfails" -> maxFails = count(option.value(), 1, "maxfails must be a whole number above 0");
                case "failtimeout" -> failTimeout = count(option.value(), 1, "failtimeout must be a whole number of seconds above 0");
                case "src" -> {
                    if (option.value().isEmpty()) {
                        error("src needs an address, e.g. src=10.0.0.1");
                    } else {
                        source = address(option.value());
                    }
                }
                default -> error("unknown option " + show(option.text()) + " (known: timeout=N, src=ADDRESS, maxconns=N, idle=N, "
                        + "proxy=VERSION, acceptproxy=VERSION, proxyfrom=PATTERN, rate=SIZE, rulerate=SIZE, balance=STRATEGY, check=N, "
                        + "maxfails=N, failtimeout=N)");
            }
        }
        return new RuleOptions(timeout, source, maxConns, idle, proxy, new Accept(acceptProxy, proxyFrom), balance,
                new Health(check, maxFails, failTimeout), new Rates(rate, ruleRate));
    }

    /** An access pattern, as {@code allow} takes it; null (with an error) when it is none. */
    private AddressPattern pattern(Option option) {
        try {
            return AddressPattern.parse(option.value());
        } catch (IllegalArgumentException e) {
            error(option.key() + ": " + e.getMessage());
            return null;
        }
    }

    /** Bytes per second, written as for {@code --buffer} ({@code 1m} is 1 MiB); 0 (with an error) when wrong. */
    private long rate(Option option) {
        try {
            return ByteSize.parse(option.key(), option.value(), 1024, 1L << 40);
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
            return 0;
        }
    }

    /** The options of a {@code backend} line, {@code [weight=N,backup]}; a plain backend for any that are wrong. */
    Backend backend(Endpoint endpoint, String token) {
        int weight = 1;
        boolean backup = false;
        for (Option option : bracketed(token, "[weight=2,backup]")) {
            switch (option.key()) {
                case "weight" -> weight = count(option.value(), 1, "weight must be a whole number above 0");
                case "backup" -> {
                    if (!option.value().isEmpty()) {
                        error("backup takes no value, got " + show(option.text()));
                    }
                    backup = true;
                }
                default -> error("unknown backend option " + show(option.text()) + " (known: weight=N, backup)");
            }
        }
        return new Backend(endpoint, weight, backup);
    }

    /** One {@code key=value} (or bare {@code key}) of a bracketed list, the key in lower case. */
    private record Option(String text, String key, String value) {
    }

    /** The items of a bracketed option list; none, with an error showing {@code example}, when it has no brackets. */
    private List<Option> bracketed(String token, String example) {
        if (!token.startsWith("[") || !token.endsWith("]")) {
            error("options go in brackets, e.g. " + example + ", got " + show(token));
            return List.of();
        }
        List<Option> options = new ArrayList<>();
        for (String item : token.substring(1, token.length() - 1).split(",", -1)) {
            String text = item.strip();
            int equals = text.indexOf('=');
            String key = (equals < 0 ? text : text.substring(0, equals)).strip().toLowerCase(Locale.ROOT);
            options.add(new Option(text, key, equals < 0 ? "" : text.substring(equals + 1).strip()));
        }
        return options;
    }

    /** The constant among {@code allowed} whose word the option's value is, or {@code fallback} with an error. */
    private <E extends Enum<E>> E choice(Option option, List<E> allowed, E fallback) {
        for (E constant : allowed) {
            if (constant.name().equalsIgnoreCase(option.value())) {
                return constant;
            }
        }
        error(option.key() + " must be " + String.join(" or ", allowed.stream().map(e -> e.name().toLowerCase(Locale.ROOT)).toList())
                + ", got " + show(option.value()));
        return fallback;
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
        errors.accept(message);
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

    /** How many ports a port word stands for: the length of a range {@code FIRST-LAST}, else 1. */
    static int ports(String token) {
        int slash = token.indexOf('/');
        Matcher range = PORT_RANGE.matcher(slash < 0 ? token : token.substring(0, slash));
        return range.matches() ? Integer.parseInt(range.group(2)) - Integer.parseInt(range.group(1)) + 1 : 1;
    }

    static boolean looksLikeAddress(String token) {
        return token.startsWith("[") || token.indexOf(':') >= 0 || DOTTED_NUMBERS.matcher(token).matches()
                || token.indexOf('.') > 0;
    }

    static String unbracket(String token) {
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
