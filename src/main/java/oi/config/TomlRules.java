package oi.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import oi.rules.AddressPattern;
import oi.rules.Endpoint.Protocol;
import oi.rules.Endpoint;
import oi.rules.ForwardRule.Backend;
import oi.rules.RuleOptions;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;
import org.tomlj.TomlVersion;

/**
 * oxidinetd's TOML rules ({@code [[global_rules]]} and {@code [[forwarding_rules]]}), read straight
 * into the {@link ConfigBuilder} that rinetd's lines feed too, with the same word parsers
 * ({@link Words}), so both formats give the same rules and the same messages.
 *
 * <p>The file is read by a TOML 1.0 parser (tomlj), so every way TOML has of writing these tables
 * loads: {@code [[...]]} headers, an inline array of inline tables, literal strings, quoted keys.
 * What the TOML types decide (a port is a number in range, a timeout a whole number, a key is one
 * of oxidinetd's) is checked at the key's own line; what the words decide (addresses, host names,
 * service names, patterns) at the table's line, where the rule is.
 */
final class TomlRules {
    private static final String GLOBAL = "global_rules";
    private static final String FORWARDING = "forwarding_rules";
    private static final Map<String, Protocol[]> PROTOCOLS = Map.of(
            "tcp", new Protocol[] {Protocol.TCP, Protocol.TCP}, "udp", new Protocol[] {Protocol.UDP, Protocol.UDP},
            "tcptoudp", new Protocol[] {Protocol.TCP, Protocol.UDP}, "udptotcp", new Protocol[] {Protocol.UDP, Protocol.TCP});
    private static final List<String> GLOBAL_KEYS = List.of("type", "pattern");
    private static final List<String> FORWARDING_KEYS = List.of("bind_address", "bind_port", "connect_address", "connect_port");
    private static final List<String> FORWARDING_OPTIONAL = List.of("protocol", "timeout", "balance", "check", "maxfails",
            "failtimeout", "backends");
    private static final List<String> OPTION_KEYS = List.of("timeout", "balance", "check", "maxfails", "failtimeout");
    private static final List<String> BACKEND_KEYS = List.of("address", "port");
    private static final List<String> BACKEND_OPTIONAL = List.of("weight", "backup");
    private static final String BACKENDS = "backends"; // an array of tables inside a rule, read on its own
    private static final Set<String> NUMBER_KEYS = Set.of("timeout", "check", "maxfails", "failtimeout", "weight");
    private static final int MAX_NESTING = 32; // oxidinetd's tables nest two deep
    private static final long MAX_TIMEOUT = 999_999_999; // the nine digits rinetd-line options take
    // A directive word where an address belongs is a mix-up of keys, not a host name anyone uses.
    private static final Set<String> DIRECTIVES = Set.of("allow", "deny", "logfile", "pidlogfile", "logcommon", "include");

    private TomlRules() {
    }

    /**
     * Reads a TOML file's rules into {@code builder}, global rules first as oxidinetd applies them
     * everywhere; every problem goes to the builder with its line, and a file that is not TOML
     * gives only the parser's errors.
     */
    static void read(Path file, String text, ConfigBuilder builder, Includes includes) {
        BiConsumer<Integer, String> error = (line, message) -> builder.error(file, line, message);
        int tooDeep = tooDeeplyNested(text);
        if (tooDeep > 0) {
            error.accept(tooDeep, "not valid TOML for oi: arrays or tables nested deeper than " + MAX_NESTING);
            return;
        }
        TomlParseResult toml = Toml.parse(text, TomlVersion.V1_0_0);
        if (toml.hasErrors()) {
            for (TomlParseError e : toml.errors()) {
                error.accept(e.position().line(), "not valid TOML: " + e.getMessage().replaceAll("\\s+", " "));
            }
            return;
        }
        String[] lines = text.split("\r?\n|\r", -1);
        for (String key : byPosition(toml)) {
            if (!key.equals(GLOBAL) && !key.equals(FORWARDING)) {
                Object value = toml.get(List.of(key));
                boolean table = value instanceof TomlTable || value instanceof TomlArray array && !array.isEmpty() && allTables(array);
                error.accept(lineOf(toml, key), table
                        ? "unknown table [[" + key + "]] (known: [[global_rules]], [[forwarding_rules]])"
                        : "a key outside [[global_rules]] or [[forwarding_rules]]: " + Words.show(key));
            }
        }
        for (Table table : tables(toml, GLOBAL, lines, error)) {
            globalRule(table, error, builder);
        }
        for (Table table : tables(toml, FORWARDING, lines, error)) {
            forwardingRule(file, table, error, builder, includes, lines);
        }
    }

    /** {@code allow PATTERN} or {@code deny PATTERN}, checked at the pattern's line. */
    private static void globalRule(Table table, BiConsumer<Integer, String> error, ConfigBuilder builder) {
        Map<String, String> values = table.words(GLOBAL_KEYS, List.of(), error);
        if (values == null) {
            return;
        }
        String type = values.get("type").toLowerCase(Locale.ROOT);
        if (!type.equals("allow") && !type.equals("deny")) {
            error.accept(table.lineOf("type"), "type must be allow or deny, got " + Words.show(values.get("type")));
            return;
        }
        try {
            builder.access(type.equals("allow"), AddressPattern.parse(values.get("pattern")));
        } catch (IllegalArgumentException e) {
            error.accept(table.lineOf("pattern"), e.getMessage());
        }
    }

    /** A forwarding rule at the table's line, which is where the rule is: its addresses, ports and timeout. */
    private static void forwardingRule(Path file, Table table, BiConsumer<Integer, String> error, ConfigBuilder builder,
                                       Includes includes, String[] lines) {
        Map<String, String> values = table.words(FORWARDING_KEYS, FORWARDING_OPTIONAL, error);
        if (values == null) {
            builder.brokenRule();
            return;
        }
        Protocol[] protocols = PROTOCOLS.get(values.getOrDefault("protocol", "tcp").toLowerCase(Locale.ROOT));
        if (protocols == null) {
            error.accept(table.lineOf("protocol"), "protocol must be tcp, udp, tcptoudp or udptotcp, got "
                    + Words.show(values.get("protocol")));
            builder.brokenRule();
            return;
        }
        Words words = includes.words(message -> error.accept(table.line, message));
        Endpoint bind = words.endpoint(values.get("bind_address"), values.get("bind_port"), protocols[0], true);
        Endpoint connect = words.endpoint(values.get("connect_address"), values.get("connect_port"), protocols[1], false);
        if (bind == null || connect == null) {
            builder.brokenRule();
            return;
        }
        // The options as a rinetd line writes them, read by the same parser, so both formats say the same.
        List<String> options = OPTION_KEYS.stream().filter(values::containsKey).map(key -> key + "=" + values.get(key)).toList();
        builder.rule(file, table.line, bind, Words.ports(values.get("bind_port")), connect, Words.ports(values.get("connect_port")),
                options.isEmpty() ? RuleOptions.DEFAULTS
                : words.options("[" + String.join(",", options) + "]"));
        for (Table backend : tables(table.values, BACKENDS, lines, error)) {
            Map<String, String> keys = backend.words(BACKEND_KEYS, BACKEND_OPTIONAL, error);
            if (keys != null) {
                Words backendWords = includes.words(message -> error.accept(backend.line, message));
                Endpoint endpoint = backendWords.endpoint(keys.get("address"), keys.get("port"), protocols[1], false);
                String weight = keys.containsKey("weight") ? "weight=" + keys.get("weight") : "";
                String backup = "true".equals(keys.get("backup")) ? "backup" : "";
                String written = String.join(",", Stream.of(weight, backup).filter(word -> !word.isEmpty()).toList());
                if (endpoint != null) {
                    builder.backend(file, backend.line, written.isEmpty() ? Backend.of(endpoint)
                                                                          : backendWords.backend(endpoint, "[" + written + "]"));
                }
            }
        }
    }

    /** The tables of {@code [[name]]} or {@code name = [ {...}, ... ]}, in file order; none (with an error) for any other shape. */
    private static List<Table> tables(TomlTable toml, String name, String[] lines, BiConsumer<Integer, String> error) {
        Object value = toml.get(List.of(name));
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof TomlArray array) || !allTables(array)) {
            error.accept(lineOf(toml, name), name + " must be an array of tables: [[" + name + "]] or " + name + " = [ { ... } ]");
            return List.of();
        }
        List<Table> tables = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            TomlTable table = array.getTable(i);
            int line = array.inputPositionOf(i).line();
            // tomlj places a [[header]] table at its header, but an inline one where the space before it starts,
            // possibly the line above: an inline table is at its first key instead.
            boolean header = line <= lines.length && lines[line - 1].strip().startsWith("[[");
            if (!header && !table.isEmpty()) {
                line = lineOf(table, byPosition(table).get(0));
            }
            tables.add(new Table(name, line, table));
        }
        return tables;
    }

    /**
     * The line at which brackets and braces, outside strings and comments, first nest deeper than
     * {@link #MAX_NESTING}, or 0: tomlj's lexer recurses per level, and a file of a few thousand
     * {@code [} would otherwise end in a StackOverflowError instead of a located error.
     */
    private static int tooDeeplyNested(String text) {
        int depth = 0;
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> line++;
                case '#' -> {
                    while (i + 1 < text.length() && text.charAt(i + 1) != '\n') {
                        i++;
                    }
                }
                case '"', '\'' -> {
                    String quote = text.startsWith(String.valueOf(c).repeat(3), i) ? String.valueOf(c).repeat(3) : String.valueOf(c);
                    for (i += quote.length(); i < text.length() && !text.startsWith(quote, i); i++) {
                        if (text.charAt(i) == '\n') {
                            line++;
                        } else if (c == '"' && text.charAt(i) == '\\') {
                            i++; // an escape in a basic string: the next character cannot close it
                        }
                    }
                    i += quote.length() - 1;
                }
                case '[', '{' -> {
                    if (++depth > MAX_NESTING) {
                        return line;
                    }
                }
                case ']', '}' -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
        }
        return 0;
    }

    // TomlArray.containsTables() throws since TOML 0.5, whose arrays may mix types: each element is looked at.
    private static boolean allTables(TomlArray array) {
        return array.toList().stream().allMatch(TomlTable.class::isInstance);
    }

    private static int lineOf(TomlTable table, String key) {
        return table.inputPositionOf(List.of(key)).line();
    }

    /** The keys of a table in the order they are written, so errors come out in file order. */
    private static List<String> byPosition(TomlTable table) {
        return table.keySet().stream()
                .sorted(Comparator.comparing((String key) -> lineOf(table, key))
                        .thenComparing(key -> table.inputPositionOf(List.of(key)).column()))
                .toList();
    }

    /** Describes a TOML value the way it was written, for a message about its type. */
    private static String describe(Object value) {
        return switch (value) {
            case String text -> Words.show(text);
            case TomlTable ignored -> "a table";
            case TomlArray ignored -> "an array";
            default -> value.toString(); // a number, boolean or date: short, and not to be mistaken for a string
        };
    }

    /** One table of oxidinetd's: its kind, the line it stands at, and its keys. */
    private record Table(String name, int line, TomlTable values) {

        int lineOf(String key) {
            return TomlRules.lineOf(values, key);
        }

        /**
         * The values as rinetd words when every required key is there, no unknown one is and each
         * has its TOML type; otherwise the errors, at each key's line, and null.
         */
        Map<String, String> words(List<String> required, List<String> optional, BiConsumer<Integer, String> error) {
            List<String> known = Stream.concat(required.stream(), optional.stream()).toList();
            boolean ok = true;
            Map<String, String> words = new LinkedHashMap<>();
            for (String key : byPosition(values)) {
                if (key.equals(BACKENDS) && known.contains(key)) {
                    continue; // tables of their own, read by the caller
                }
                int keyLine = lineOf(key);
                String word = known.contains(key) ? word(key, values.get(List.of(key)), problem -> error.accept(keyLine, problem))
                        : null;
                if (!known.contains(key)) {
                    error.accept(keyLine, "[[" + name + "]] has no key " + Words.show(key) + " (known: " + String.join(", ", known) + ")");
                }
                if (word == null) {
                    ok = false;
                } else {
                    words.put(key, word);
                }
            }
            for (String key : required) {
                if (!values.contains(List.of(key))) {
                    error.accept(line, "[[" + name + "]] needs " + key);
                    ok = false;
                }
            }
            return ok ? words : null;
        }

        /** The rinetd word a key's value stands for, or null once {@code problem} has been told why it stands for none. */
        private static String word(String key, Object value, Consumer<String> problem) {
            boolean port = key.endsWith("port");
            if (value instanceof Long whole && (port || NUMBER_KEYS.contains(key))) {
                // bind port 0: any free port, as in rinetd lines (tests use it); check=0: passive only.
                long min = key.equals("bind_port") || key.equals("check") ? 0 : 1;
                long max = port ? 65535 : MAX_TIMEOUT;
                if (whole < min || whole > max) {
                    problem.accept(key + " " + whole + " out of range (" + min + "-" + max + ")");
                    return null;
                }
                return whole.toString();
            }
            if (value instanceof Boolean flag && key.equals("backup")) {
                return flag.toString();
            }
            // A port may also be a service name from /etc/services, as in rinetd lines.
            if (value instanceof String text && !NUMBER_KEYS.contains(key) && !key.equals("backup")) {
                if (text.isBlank() || text.codePoints().anyMatch(c -> Character.isWhitespace(c) || c == '#')) {
                    problem.accept(key + " must be one word, got " + describe(text));
                    return null;
                }
                if (key.endsWith("address") && DIRECTIVES.contains(text.toLowerCase(Locale.ROOT))) {
                    problem.accept(key + " must be an address or a host name, got " + describe(text));
                    return null;
                }
                return text;
            }
            problem.accept(key + " must be " + (key.equals("backup") ? "true or false" : NUMBER_KEYS.contains(key) ? "a whole number"
                    : port ? "a port number or a service name" : "a string") + ", got " + describe(value));
            return null;
        }
    }
}
