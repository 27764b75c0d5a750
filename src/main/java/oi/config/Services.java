package oi.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import oi.rules.Endpoint.Protocol;

/** Service names to port numbers, as in {@code /etc/services}, so rules may say {@code http}. */
public final class Services {
    private final Path file;
    private Map<String, Integer> ports; // loaded on first lookup: most rules files use numbers

    /** Looks names up in the given services file; a missing file just knows no names. */
    public Services(Path file) {
        this.file = file;
    }

    /** The system's {@code /etc/services}. */
    public static Services system() {
        return new Services(Path.of("/etc/services"));
    }

    /** The port of a service name or alias for one protocol, if the file lists it. */
    public synchronized OptionalInt port(String name, Protocol protocol) {
        if (ports == null) {
            ports = load(file);
        }
        Integer port = ports.get(name.toLowerCase(Locale.ROOT) + "/" + protocol.suffix());
        return port == null ? OptionalInt.empty() : OptionalInt.of(port);
    }

    private static Map<String, Integer> load(Path file) {
        Map<String, Integer> ports = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                int hash = line.indexOf('#');
                String[] fields = (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+");
                if (fields.length < 2 || !fields[1].matches("\\d{1,5}/[a-z]+")) {
                    continue;
                }
                String[] portAndProtocol = fields[1].split("/");
                int port = Integer.parseInt(portAndProtocol[0]);
                for (int i = 0; i < fields.length; i++) {
                    if (i != 1) {
                        ports.putIfAbsent(fields[i].toLowerCase(Locale.ROOT) + "/" + portAndProtocol[1], port);
                    }
                }
            }
        } catch (IOException e) {
            // No services file: only numeric ports work, and the parser says so per line.
        }
        return ports;
    }
}
