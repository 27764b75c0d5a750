package oi.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * oxidinetd's TOML rules ({@code [[global_rules]]} and {@code [[forwarding_rules]]}), turned into
 * the rinetd lines they mean, each tagged with the TOML line it came from, so that one parser
 * checks both formats and its errors point into the TOML file.
 *
 * <p>Only the small part of TOML that oxidinetd uses is read: array-of-tables headers and
 * {@code key = "string"}, integer or bare-word values; anything else is a located error.
 */
final class TomlRules {
    private static final Pattern HEADER = Pattern.compile("\\[\\[\\s*([A-Za-z_]+)\\s*]]");
    private static final Pattern ENTRY = Pattern.compile("([A-Za-z_]+)\\s*=\\s*(\"([^\"\\\\]*)\"|'([^']*)'|([-+]?\\d+)|(\\w+))");
    private static final Map<String, String[]> PROTOCOLS = Map.of(
            "tcp", new String[] {"tcp", "tcp"}, "udp", new String[] {"udp", "udp"},
            "tcptoudp", new String[] {"tcp", "udp"}, "udptotcp", new String[] {"udp", "tcp"});

    /** A rinetd line and the TOML line it stands for. */
    record Line(int number, String text) {
    }

    private TomlRules() {
    }

    /** The rinetd lines of a TOML file: global rules first, as oxidinetd applies them everywhere. */
    static List<Line> translate(String text, BiConsumer<Integer, String> error) {
        List<Table> tables = new ArrayList<>();
        Table current = null;
        String[] lines = text.split("\r?\n|\r", -1);
        for (int number = 1; number <= lines.length; number++) {
            String line = stripComment(lines[number - 1]).strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher header = HEADER.matcher(line);
            Matcher entry = ENTRY.matcher(line);
            if (header.matches()) {
                String name = header.group(1);
                if (!name.equals("global_rules") && !name.equals("forwarding_rules")) {
                    error.accept(number, "unknown table [[" + name + "]] (known: [[global_rules]], [[forwarding_rules]])");
                    current = null;
                    continue;
                }
                current = new Table(name, number);
                tables.add(current);
            } else if (entry.matches()) {
                if (current == null) {
                    error.accept(number, "a key outside [[global_rules]] or [[forwarding_rules]]: " + ConfigParser.show(line));
                    continue;
                }
                String value = entry.group(3) != null ? entry.group(3) : entry.group(4) != null ? entry.group(4)
                        : entry.group(5) != null ? entry.group(5) : entry.group(6);
                if (current.values.putIfAbsent(entry.group(1), value) != null) {
                    error.accept(number, "duplicate key " + ConfigParser.show(entry.group(1)));
                }
            } else {
                error.accept(number, "not a line of oxidinetd's TOML: " + ConfigParser.show(line));
            }
        }
        List<Line> global = new ArrayList<>();
        List<Line> forwarding = new ArrayList<>();
        for (Table table : tables) {
            if (table.name.equals("global_rules")) {
                table.rinetdLine(List.of("type", "pattern"), List.of(), error).ifPresent(values -> {
                    String type = values.get("type").toLowerCase(Locale.ROOT);
                    if (!type.equals("allow") && !type.equals("deny")) {
                        error.accept(table.line, "type must be allow or deny, got " + ConfigParser.show(values.get("type")));
                    } else {
                        global.add(new Line(table.line, type + " " + values.get("pattern")));
                    }
                });
            } else {
                table.rinetdLine(List.of("bind_address", "bind_port", "connect_address", "connect_port"),
                        List.of("protocol", "timeout"), error).ifPresent(values -> {
                            String[] protocols = PROTOCOLS.get(values.getOrDefault("protocol", "tcp").toLowerCase(Locale.ROOT));
                            if (protocols == null) {
                                error.accept(table.line, "protocol must be tcp, udp, tcptoudp or udptotcp, got "
                                        + ConfigParser.show(values.get("protocol")));
                                return;
                            }
                            forwarding.add(new Line(table.line, values.get("bind_address") + " " + values.get("bind_port") + "/"
                                    + protocols[0] + " " + values.get("connect_address") + " " + values.get("connect_port") + "/"
                                    + protocols[1] + (values.containsKey("timeout") ? " [timeout=" + values.get("timeout") + "]" : "")));
                        });
            }
        }
        global.addAll(forwarding);
        return global;
    }

    private static String stripComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"' || c == '\'') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** One {@code [[...]]} table and its keys. */
    private static final class Table {
        final String name;
        final int line;
        final Map<String, String> values = new LinkedHashMap<>();

        Table(String name, int line) {
            this.name = name;
            this.line = line;
        }

        /** The values when every required key is there and no unknown one is; else errors, and empty. */
        java.util.Optional<Map<String, String>> rinetdLine(List<String> required, List<String> optional,
                                                           BiConsumer<Integer, String> error) {
            boolean ok = true;
            for (String key : required) {
                if (!values.containsKey(key)) {
                    error.accept(line, "[[" + name + "]] needs " + key);
                    ok = false;
                }
            }
            for (String key : values.keySet()) {
                if (!required.contains(key) && !optional.contains(key)) {
                    error.accept(line, "[[" + name + "]] has no key " + ConfigParser.show(key));
                    ok = false;
                }
                if (values.get(key).isBlank() || values.get(key).matches(".*\\s.*")) {
                    error.accept(line, key + " must be one word, got " + ConfigParser.show(values.get(key)));
                    ok = false;
                }
            }
            return ok ? java.util.Optional.of(values) : java.util.Optional.empty();
        }
    }
}
