package oi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of generated and mutated rules files: each must load or fail with located errors,
 * never with another exception or a hang.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigFuzzTest {
    /** In an empty directory, so that a generated {@code include *} finds nothing to read. */
    @TempDir
    static Path dir;
    private static final int FILES = 5000;
    private static final List<String> VOCABULARY = List.of(
            "0.0.0.0", "127.0.0.1", "::1", "[::1]", "[::]", "fe80::1%eth0", "localhost", "no.such.host", "10.0.0.0/8",
            "8080", "80/tcp", "53/udp", "http", "domain/udp", "65535", "65536", "0", "-1", "99999999999999999999",
            "allow", "deny", "logfile", "pidlogfile", "logcommon", "include", "#", "[", "]", "[timeout=5]",
            "[src=127.0.0.1,timeout=1]", "[maxconns=3,idle=0]", "[timeout=]", "[=]", "[,,]", "[src=[::1]]",
            "*", "?", "192.168.*.?", "/tmp/x.log", "ünïcödé", "日本", "\u0000", "\u0007", "\uFEFF", "\t", "  ", "[[[[", "]]]]");
    private static final String VALID = """
            allow 127.0.0.*
            deny 10.0.0.0/8
            127.0.0.1 8080 127.0.0.1 80 [timeout=5,src=127.0.0.1]
            allow ::1
            ::1 8081/udp localhost domain/udp
            logfile /tmp/oi-fuzz.log
            logcommon
            """;

    private final ConfigParser parser = new ConfigParser(host -> {
        if (host.equals("localhost")) {
            return InetAddress.getLoopbackAddress();
        }
        throw new UnknownHostException(host); // never ask real DNS from a fuzz test
    }, new Services(Path.of("/etc/services")));

    @Test
    void generatedAndMutatedFilesLoadOrFailWithFileAndLine() {
        SplittableRandom random = new SplittableRandom(20261125);
        int loaded = 0;
        for (int i = 0; i < FILES; i++) {
            String text = i % 2 == 0 ? generate(random) : mutate(VALID, random);
            if (parsesOrFailsCleanly(text)) {
                loaded++;
            }
        }
        // Mutations keep some files valid and random tokens break most: both outcomes must occur.
        assertThat(loaded).isBetween(1, FILES - 1);
    }

    private boolean parsesOrFailsCleanly(String text) {
        Path file = dir.resolve("fuzz.conf");
        long lines = text.split("\r?\n|\r", -1).length;
        try {
            parser.parse(file, text);
            return true;
        } catch (ConfigException e) {
            assertThat(e.errors()).as(text).isNotEmpty().allSatisfy(error -> {
                assertThat(error.file()).isEqualTo(file);
                assertThat(error.line()).isBetween(1, (int) lines);
                assertThat(error.toString()).startsWith(file + ":" + error.line() + ": ").doesNotContain("\n");
            });
            return false;
        } catch (RuntimeException e) {
            throw new AssertionError("parser threw " + e + " on:\n" + text, e);
        }
    }

    private static String generate(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        int lines = random.nextInt(1, 12);
        for (int line = 0; line < lines; line++) {
            int tokens = random.nextInt(0, 7);
            for (int t = 0; t < tokens; t++) {
                text.append(VOCABULARY.get(random.nextInt(VOCABULARY.size()))).append(random.nextBoolean() ? " " : "\t");
            }
            if (random.nextInt(50) == 0) {
                text.append("9".repeat(random.nextInt(1, 5000))); // very long line
            }
            text.append(random.nextInt(10) == 0 ? "\r\n" : "\n");
        }
        return text.toString();
    }

    private static String mutate(String valid, SplittableRandom random) {
        byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
        int edits = random.nextInt(1, 6);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(3)) {
                case 0 -> bytes[at] = (byte) random.nextInt(256); // binary garbage, broken UTF-8
                case 1 -> bytes = java.util.Arrays.copyOf(bytes, at); // truncated mid-line
                default -> bytes[at] = (byte) "0123456789.:[]=,/*?#x \n".charAt(random.nextInt(23));
            }
            if (bytes.length == 0) {
                break;
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
