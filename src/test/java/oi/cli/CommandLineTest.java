package oi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import oi.settings.ByteSize;
import oi.settings.Flags;
import oi.settings.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line as a table: each bad input gets its exit code and its exact one-line message. */
class CommandLineTest {

    @TempDir
    Path dir;

    /** What one in-process run of {@code oi} gave; RulesCheckTest reads its runs the same way. */
    record Result(ExitCode code, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExitCode code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpDocumentsEveryFlag() {
        Result result = run("--help");
        assertThat(result.code()).isEqualTo(ExitCode.OK);
        assertThat(result.out()).contains("--conf-file", "--foreground", "--buffer", "--threads", "--connect-timeout",
                "--help", "--version", "--check", "--max-conns", "--idle-timeout", "--no-keepalive", "--drain", "--metrics", "--dns-ttl", "--io", "--udp-sessions", "SIGHUP", "SIGUSR1");
    }

    @Test
    void noFlagsGiveSettingsDefaultsAndTheHelpShowsThem() {
        assertThat(Settings.of()).isEqualTo(Settings.DEFAULTS);
        String help = run("--help").out();
        assertThat(help).contains("Default: " + ByteSize.format(Settings.DEFAULTS.bufferSize()),
                "Default: " + Settings.DEFAULTS.io(), "Default: " + Settings.DEFAULTS.maxConns());
    }

    @Test
    void helpListsEveryValueOfTheEnumFlags() {
        String help = run("--help").out();
        assertThat(help).contains(java.util.Arrays.stream(oi.settings.IoMode.values()).map(String::valueOf).toList())
                .contains(java.util.Arrays.stream(oi.settings.ThreadModel.values()).map(String::valueOf).toList());
    }

    @Test
    void versionPrintsOneLine() {
        Result result = run("-v");
        assertThat(result.code()).isEqualTo(ExitCode.OK);
        assertThat(result.out()).startsWith("oi ").hasLineCount(1);
    }

    @ParameterizedTest(name = "--buffer {0}")
    @CsvSource({"8k, 8192", "16K, 16384", "64k, 65536", "1024, 1024", "1m, 1048576", "16m, 16777216"})
    void bufferSizesAcceptKAndMSuffixes(String text, int bytes) {
        assertThat(new Flags.BufferSize("--buffer").convert(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({"1024, 1k", "16384, 16k", "65536, 64k", "1048576, 1m", "16777216, 16m", "1500, 1500"})
    void bufferSizesAreShownAsTheyAreWritten(int bytes, String text) {
        assertThat(ByteSize.format(bytes)).isEqualTo(text);
        assertThat(new Flags.BufferSize("--buffer").convert(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --buffer abc          | oi: --buffer "abc" is not a size: use a byte count with an optional k or m suffix, e.g. 8k, 64k, 1m
            --buffer 512          | oi: --buffer "512" is out of range: between 1k and 16m
            --buffer 17m          | oi: --buffer "17m" is out of range: between 1k and 16m
            --buffer -1k          | oi: --buffer "-1k" is not a size: use a byte count with an optional k or m suffix, e.g. 8k, 64k, 1m
            --threads green       | oi: --threads must be virtual or platform, got "green"
            --connect-timeout 0   | oi: --connect-timeout "0" is not a number of seconds between 1 and 999999
            --connect-timeout x   | oi: --connect-timeout "x" is not a number of seconds between 1 and 999999
            --max-conns 0         | oi: --max-conns "0" is not a number of connections between 1 and 10000000
            --idle-timeout -5     | oi: --idle-timeout "-5" is not a number of seconds between 0 and 999999
            --drain soon          | oi: --drain "soon" is not a number of seconds between 0 and 999999
            --io mmap             | oi: --io must be stream, channel, splice, hybrid or auto, got "mmap"
            --udp-sessions 0      | oi: --udp-sessions "0" is not a number of sessions between 1 and 10000000
            --scheduler fifo      | oi: --scheduler must be jdk, poller or auto, got "fifo"
            --buffer-memory 4k    | oi: --buffer-memory "4k" is out of range: between 64k and 1024g
            --buffer-memory lots  | oi: --buffer-memory "lots" is not a size: use a byte count with an optional k or m suffix, e.g. 8k, 64k, 1m
            --metrics 9100        | oi: --metrics "9100" is not HOST:PORT, e.g. 127.0.0.1:9100
            --metrics host:99999  | oi: --metrics "host:99999" is not HOST:PORT, e.g. 127.0.0.1:9100
            --metrics [::1:9100   | oi: --metrics "[::1:9100" is not HOST:PORT, e.g. 127.0.0.1:9100
            """)
    void badValuesGiveOneLineAndExitTwo(String args, String message) {
        Result result = run(args.split(" "));
        assertThat(result.code()).isEqualTo(ExitCode.CMDERR);
        assertThat(result.err()).isEqualTo(message + System.lineSeparator());
    }

    @Test
    void unknownFlagGivesTheErrorAndTheUsage() {
        Result result = run("--frobnicate");
        assertThat(result.code()).isEqualTo(ExitCode.CMDERR);
        assertThat(result.err()).startsWith("oi: unknown option \"--frobnicate\"\n").contains("Usage:").doesNotContain("Exception");
    }

    @Test
    void missingValueGivesTheErrorAndTheUsage() {
        Result result = run("--buffer");
        assertThat(result.code()).isEqualTo(ExitCode.CMDERR);
        assertThat(result.err()).startsWith("oi: ").contains("--buffer").contains("Usage:").doesNotContain("Exception");
    }

    @Test
    void missingRulesFileIsNamed() {
        Path missing = dir.resolve("missing.conf");
        Result result = run("-c", missing.toString());
        assertThat(result.code()).isEqualTo(ExitCode.CMDERR);
        assertThat(result.err()).isEqualTo("oi: " + missing + ": no such rules file" + System.lineSeparator());
    }

    @Test
    void badRulesLinesAreAllReportedWithFileAndLine() throws Exception {
        Path rules = Files.writeString(dir.resolve("bad.conf"), "127.0.0.1 80 127.0.0.1\n# ok\nbogus\n");
        Result result = run("-c", rules.toString());
        assertThat(result.code()).isEqualTo(ExitCode.CMDERR);
        assertThat(result.err().lines()).containsExactly(
                "oi: " + rules + ":1: a forwarding rule is \"bindaddress bindport connectaddress connectport [options]\", got \"127.0.0.1 80 127.0.0.1\"",
                "oi: " + rules + ":3: unknown directive \"bogus\"");
    }

    @Test
    void anAddressThatCannotBeBoundIsNamedAndNothingStaysBound() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path rules = Files.writeString(dir.resolve("busy.conf"),
                    "127.0.0.1 0 127.0.0.1 9\n127.0.0.1 " + taken.getLocalPort() + " 127.0.0.1 9\n");
            Result result = run("-c", rules.toString());
            assertThat(result.code()).isEqualTo(ExitCode.SYSERR);
            assertThat(result.err()).startsWith("oi: " + rules + ":2: cannot bind 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .hasLineCount(1);
        }
    }
}
