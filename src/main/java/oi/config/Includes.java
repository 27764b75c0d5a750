package oi.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import oi.rules.Glob;
import oi.rules.HostAndPort;

/**
 * The files of one parse: the one named on the command line and those it includes, each read in
 * its own format ({@code .toml} for oxidinetd's TOML, rinetd's lines otherwise) into the same
 * {@link ConfigBuilder}. Keeps the chain of files being read, so that a cycle or a runaway depth
 * is an error instead of a hang.
 *
 * <p>{@code include PATH} takes a file, or a glob in its last part ({@code /etc/oi.d/*.conf}, in
 * name order). The glob is matched by {@link Glob}, which cannot backtrack its way into a hang,
 * and its length is bounded by what a file name can be.
 */
final class Includes {
    private static final int MAX_DEPTH = 16;
    /** Linux's NAME_MAX: no file name is longer, so no longer glob can match one. */
    private static final int MAX_GLOB = 255;
    private static final int MAX_ALTERNATIVES = 64;

    private final ConfigBuilder builder;
    private final HostAndPort.Resolver resolver;
    private final Services services;
    private final List<Path> reading = new ArrayList<>();

    Includes(ConfigBuilder builder, HostAndPort.Resolver resolver, Services services) {
        this.builder = builder;
        this.resolver = resolver;
        this.services = services;
    }

    /** Reads one file's text in its format, with the file on the chain while it is read. */
    void read(Path file, String text) {
        reading.add(file.toAbsolutePath().normalize());
        try {
            if (file.toString().endsWith(".toml")) {
                TomlRules.read(file, text, builder, this);
            } else {
                new RinetdLines(file, builder, this).read(text);
            }
        } finally {
            reading.removeLast();
        }
    }

    /** The word parsers of this parse, telling their problems to {@code errors}. */
    Words words(Consumer<String> errors) {
        return new Words(resolver, services, errors);
    }

    /** How host names are looked up in this parse. */
    HostAndPort.Resolver resolver() {
        return resolver;
    }

    /**
     * {@code include ARGUMENT} at a line of {@code from}: every file it names, read as if its lines
     * stood there; a relative path is taken from the including file's directory.
     */
    void include(Path from, int line, String argument, Consumer<String> error) {
        if (argument.isEmpty()) {
            error.accept("include needs a path or a glob, e.g. include /etc/oi.d/*.conf");
            return;
        }
        Path pattern;
        try {
            Path parent = from.toAbsolutePath().getParent();
            pattern = parent == null ? Path.of(argument) : parent.resolve(argument);
        } catch (RuntimeException e) {
            error.accept("bad path " + Words.show(argument));
            return;
        }
        String name = pattern.getFileName() == null ? "" : pattern.getFileName().toString();
        List<Path> files = Glob.hasWildcard(name) || name.indexOf('{') >= 0 ? matching(pattern, name, argument, error)
                                                                           : List.of(pattern);
        for (Path included : files) {
            readIncluded(included, error);
        }
    }

    /** The regular files in the glob's directory whose names match it, in name order; none (with an error) when it is wrong. */
    private static List<Path> matching(Path pattern, String name, String argument, Consumer<String> error) {
        if (name.length() > MAX_GLOB) {
            error.accept("bad glob " + Words.show(argument) + ": longer than a file name can be (" + MAX_GLOB + ")");
            return List.of();
        }
        List<Glob> globs = new ArrayList<>();
        try {
            for (String alternative : alternatives(name)) {
                globs.add(Glob.of(alternative));
            }
        } catch (IllegalArgumentException e) {
            error.accept("bad glob " + Words.show(argument));
            return List.of();
        }
        try (Stream<Path> listing = Files.list(pattern.getParent())) {
            return listing.filter(p -> globs.stream().anyMatch(glob -> glob.matches(p.getFileName().toString()))
                    && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            error.accept("cannot list " + Words.show(pattern.getParent().toString()) + " for include");
            return List.of();
        }
    }

    /** A glob's {@code {a,b}} groups spelled out, as shells do: {@code *.{conf,toml}} is {@code *.conf} and {@code *.toml}. */
    private static List<String> alternatives(String glob) {
        int open = glob.indexOf('{');
        if (open < 0) {
            return List.of(glob);
        }
        int close = glob.indexOf('}', open);
        if (close < 0 || glob.indexOf('{', open + 1) >= 0 && glob.indexOf('{', open + 1) < close) {
            throw new IllegalArgumentException("unclosed or nested { in " + glob);
        }
        List<String> spelled = new ArrayList<>();
        for (String choice : glob.substring(open + 1, close).split(",", -1)) {
            for (String rest : alternatives(glob.substring(close + 1))) {
                spelled.add(glob.substring(0, open) + choice + rest);
                if (spelled.size() > MAX_ALTERNATIVES) {
                    throw new IllegalArgumentException("more than " + MAX_ALTERNATIVES + " alternatives in " + glob);
                }
            }
        }
        return spelled;
    }

    private void readIncluded(Path included, Consumer<String> error) {
        if (reading.contains(included.toAbsolutePath().normalize())) {
            error.accept("include cycle: " + Words.show(included.toString()) + " is already being read");
            return;
        }
        if (reading.size() >= MAX_DEPTH) {
            error.accept("includes nested deeper than " + MAX_DEPTH);
            return;
        }
        String text;
        try {
            text = readText(included);
        } catch (IOException e) {
            error.accept(Files.isDirectory(included) ? "included " + Words.show(included.toString()) + " is a directory: include "
                    + included.resolve("*.conf") + " reads the files in it" : "cannot read included file " + Words.show(included.toString()));
            return;
        }
        read(included, text);
    }

    /**
     * A rules file's text as UTF-8, leniently (a bad byte is a bad word, not a failed read), without
     * the byte-order mark an editor on Windows may put first, which would be part of its first word.
     */
    static String readText(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
