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
import oi.rules.ForwardRule.Backend;
import oi.rules.HostAndPort;
import oi.rules.RuleOptions;

/**
 * The words a forwarding rule is made of, as both formats write them: an address (a literal, a
 * bracketed IPv6 address or a host name, looked up now), a port (a number, a range such as
 * {@code 10000-10999}, or a service name, with {@code /tcp} or {@code /udp}) and the bracketed
 * options. Each problem goes to the error sink with a message a user can act on, and the word
 * reads as null (or the option's default).
 */
final class Words {
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
                if (!Endpoint.isIpv4Literal(host)) {
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
        return new OptionWords(this).options(token);
    }

    /** The options of a {@code backend} line, {@code [weight=N,backup]}; a plain backend for any that are wrong. */
    Backend backend(Endpoint endpoint, String token) {
        return new OptionWords(this).backend(endpoint, token);
    }

    /** Tells the error sink of a problem with a word. */
    void error(String message) {
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
                shown.append(Character.isISOControl(c) ? String.format("\\x%02x", c)
                        : Character.getType(c) == Character.FORMAT ? String.format("\\u%04x", c) : Character.toString(c))); // unseen otherwise
        if (text.codePointCount(0, text.length()) > SHOWN_TEXT_LIMIT) {
            shown.append("...");
        }
        return shown.append('"').toString();
    }
}
