package oi.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import oi.rules.AddressPattern;
import oi.rules.Endpoint;
import oi.rules.ForwardRule.Backend;
import oi.rules.ProxyProtocol;
import oi.rules.RuleOptions.Accept;
import oi.rules.RuleOptions.Balance;
import oi.rules.RuleOptions.Health;
import oi.rules.RuleOptions.Rates;
import oi.rules.RuleOptions;
import oi.settings.ByteSize;

/**
 * The bracketed options of a rule ({@code [timeout=60,balance=leastconn,...]}) and of a
 * {@code backend} line ({@code [weight=2,backup]}), as both formats write them; each problem goes
 * to the error sink of the {@link Words} they are read with, and the option keeps its default.
 */
final class OptionWords {
    private final Words words;

    /** Options read with the addresses and the error sink of {@code words}. */
    OptionWords(Words words) {
        this.words = words;
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
                        words.error("src needs an address, e.g. src=10.0.0.1");
                    } else {
                        source = words.address(option.value());
                    }
                }
                default -> words.error("unknown option " + Words.show(option.text()) + " (known: timeout=N, src=ADDRESS, maxconns=N, idle=N, "
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
            words.error(option.key() + ": " + e.getMessage());
            return null;
        }
    }

    /** Bytes per second, written as for {@code --buffer} ({@code 1m} is 1 MiB); 0 (with an error) when wrong. */
    private long rate(Option option) {
        try {
            return ByteSize.parse(option.key(), option.value(), 1024, 1L << 40);
        } catch (IllegalArgumentException e) {
            words.error(e.getMessage());
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
                        words.error("backup takes no value, got " + Words.show(option.text()));
                    }
                    backup = true;
                }
                default -> words.error("unknown backend option " + Words.show(option.text()) + " (known: weight=N, backup)");
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
            words.error("options go in brackets, e.g. " + example + ", got " + Words.show(token));
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
        words.error(option.key() + " must be " + String.join(" or ", allowed.stream().map(e -> e.name().toLowerCase(Locale.ROOT)).toList())
                + ", got " + Words.show(option.value()));
        return fallback;
    }

    /** A whole number of at least {@code min}, or the error's text and {@code min} when it is not. */
    private int count(String value, int min, String message) {
        if (value.matches("\\d{1,9}") && Integer.parseInt(value) >= min) {
            return Integer.parseInt(value);
        }
        words.error(message + ", got " + Words.show(value));
        return min;
    }

}
