package oi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import oi.bench.EchoServer;
import oi.settings.IoMode;
import oi.settings.ThreadModel;
import oi.testing.OiProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code oi bench} as the harness runs it: each mode with tiny durations, and its bad input as a table. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchCommandTest {

    private record Result(ExitCode code, String out, String err) {
    }

    private static Result bench(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] command = new String[args.length + 1];
        command[0] = "bench";
        System.arraycopy(args, 0, command, 1, args.length);
        ExitCode code = Main.run(command, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String succeeds(String... args) {
        Result result = bench(args);
        assertThat(result.code()).as(result.err()).isEqualTo(ExitCode.OK);
        return result.out();
    }

    @Test
    void theInProcessAbPrintsPositiveThroughputAndLatency() {
        String out = succeeds("--buffer", "16k", "--io", "stream", "--seconds", "0.5");
        assertThat(out).contains("--buffer 16384 --threads virtual --io stream")
                .containsPattern("throughput\\s+[1-9][0-9.]* Gbit/s")
                .containsPattern("ab_gbits=[0-9.]+ ab_cpu_s_per_gb=[0-9.]+").containsPattern("oi_p999_us=[1-9]");
    }

    @Test
    void roundTripsAndConnectionRateAgainstTheEchoServer() throws Exception {
        try (EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0))) {
            String target = "127.0.0.1:" + echo.port();
            assertThat(succeeds("rr", "--target", target, "--seconds", "0.3")).containsPattern("rr_round_trips=[1-9]");
            assertThat(succeeds("connrate", "--target", target, "--seconds", "0.3")).containsPattern("connections_per_second=[1-9]");
            assertThat(succeeds("idle", "--target", target, "--connections", "20", "--seconds", "0")).contains("open=20");
        }
    }

    @Test
    void helpListsEveryModeAndEveryValueOfTheAbFlags() {
        String help = succeeds("--help");
        assertThat(help).contains("ab ", "echo-server", "rr ", "connrate", "idle", "--seconds", "--target");
        for (IoMode io : IoMode.values()) {
            assertThat(help).contains(io.toString());
        }
        for (ThreadModel threads : ThreadModel.values()) {
            assertThat(help).contains(threads.toString());
        }
    }

    @Test
    void aTargetThatRefusesIsASystemFailureNamedInOneLine() throws Exception {
        int closed = OiProcess.freePort();
        Result result = bench("rr", "--target", "127.0.0.1:" + closed, "--seconds", "0.1");
        assertThat(result.code()).isEqualTo(ExitCode.SYSERR);
        assertThat(result.err()).isEqualTo("oi bench: rr failed: Connection refused" + System.lineSeparator());
    }

    @ParameterizedTest(name = "oi bench {0}")
    @CsvSource(delimiter = '|', textBlock = """
            --buffer abc              | oi bench: --buffer "abc" is not a size: use a byte count with an optional k or m suffix, e.g. 8k, 64k, 1m
            --threads green           | oi bench: --threads must be virtual or platform, got "green"
            --max-conns 0             | oi bench: --max-conns "0" is not a number of connections between 1 and 10000000
            rr                        | oi bench: --target HOST:PORT is needed
            rr --target 9100          | oi bench: --target "9100" is not HOST:PORT, e.g. 127.0.0.1:9100
            frob                      | oi bench: unknown mode "frob" (ab, echo-server, rr, connrate, idle)
            --frob                    | oi bench: unknown option "--frob"
            rr idle                   | oi bench: one mode at a time, got rr idle
            --seconds -1              | oi bench: --seconds must be a number of seconds between 0 and 86400, got -1
            --seconds NaN             | oi bench: --seconds must be a number of seconds between 0 and 86400, got NaN
            --seconds Infinity        | oi bench: --seconds must be a number of seconds between 0 and 86400, got Infinity
            echo-server --port 99999  | oi bench: --port must be a port between 0 and 65535, got 99999
            --size 0                  | oi bench: --size must be a number of bytes between 1 and 16777216, got 0
            --concurrency 0           | oi bench: --concurrency must be a number of threads between 1 and 10000, got 0
            idle --connections -5     | oi bench: --connections must be a number of connections between 1 and 10000000, got -5
            """)
    void badInputGivesOneLineAndExitTwo(String args, String message) {
        Result result = bench(args.split(" "));
        assertThat(result.code()).isEqualTo(ExitCode.CMDERR);
        assertThat(result.err()).isEqualTo(message + System.lineSeparator());
    }

    @Test
    void aMalformedCommandLineGetsTheUsage() {
        Result result = bench("--seconds");
        assertThat(result.code()).isEqualTo(ExitCode.CMDERR);
        assertThat(result.err()).startsWith("oi bench: ").contains("--seconds", "Usage: oi bench").doesNotContain("Exception");
    }
}
