package oi.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import oi.rules.Config;
import oi.rules.HostAndPort;

/**
 * Reads a rules file into a {@link Config}: rinetd's language ({@code man rinetd}, read by
 * {@link RinetdLines}), or oxidinetd's TOML for a name ending in {@code .toml} ({@link TomlRules}),
 * with the files either includes ({@link Includes}). Every problem is collected with its file and
 * line, so one run reports all of them; host and service names are looked up here, once.
 */
public final class ConfigParser {
    private final HostAndPort.Resolver resolver;
    private final Services services;

    /** A parser that resolves names with the system resolver and {@code /etc/services}. */
    public ConfigParser() {
        this(InetAddress::getByName, Services.system());
    }

    /** A parser with its own resolver and services table. */
    public ConfigParser(HostAndPort.Resolver resolver, Services services) {
        this.resolver = resolver;
        this.services = services;
    }

    /** Reads and parses a rules file. */
    public Config parse(Path file) throws ConfigException {
        String text;
        try {
            text = Includes.readText(file);
        } catch (IOException e) {
            String reason = Files.exists(file) ? "cannot read the rules file (" + ConfigError.reasonOf(e) + ")"
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
        ConfigBuilder builder = new ConfigBuilder(file);
        new Includes(builder, resolver, services).read(file, text);
        return builder.build();
    }
}
