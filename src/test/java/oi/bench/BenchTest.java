package oi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Smoke tests of the benchmark tools and the experiment harness, with tiny durations, so they cannot rot. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchTest {

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Bench.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(status).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theInProcessAbPrintsPositiveThroughputAndLatency() {
        String out = run("--buffer", "16k", "--seconds", "0.5");
        assertThat(out).contains("--buffer 16384").containsPattern("throughput\\s+[1-9][0-9.]* Gbit/s")
                .containsPattern("ab_gbits=[0-9.]+ ab_cpu_s_per_gb=[0-9.]+").containsPattern("oi_p999_us=[1-9]");
    }

    @Test
    void roundTripsAndConnectionRateAgainstTheEchoServer() throws Exception {
        try (EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0))) {
            String target = "127.0.0.1:" + echo.port();
            assertThat(run("rr", "--target", target, "--seconds", "0.3")).containsPattern("rr_round_trips=[1-9]");
            assertThat(run("connrate", "--target", target, "--seconds", "0.3")).containsPattern("connections_per_second=[1-9]");
            assertThat(run("idle", "--target", target, "--connections", "20", "--seconds", "0")).contains("open=20");
        }
    }

    @Test
    void percentilesAreTakenFromTheSortedSamples() {
        long[] nanos = new long[1000];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = (1000 - i) * 1000L; // 1..1000 µs, unsorted
        }
        Latency.Result result = Latency.summarize(nanos);
        assertThat(result.p50()).isEqualTo(500.0);
        assertThat(result.p99()).isEqualTo(990.0);
        assertThat(result.p999()).isEqualTo(999.0);
        assertThat(result.mean()).isEqualTo(500.5);
    }

    @Test
    void theHarnessPlansEveryCaseOfTheMatrix() throws Exception {
        ProcessBuilder plan = new ProcessBuilder("bash", "bench/experiment.sh").redirectErrorStream(true)
                .redirectOutput(Path.of("target/experiment-dry-run.log").toFile());
        plan.environment().put("DRY_RUN", "1");
        plan.environment().remove("QUICK");
        plan.environment().remove("CASES");
        Process dry = plan.start();
        assertThat(dry.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(dry.exitValue()).isZero();
        assertThat(java.nio.file.Files.readString(Path.of("target/experiment-dry-run.log")))
                .contains("12 cases x 3 repeats", "would measure: direct", "would measure: rinetd", "would measure: haproxy-splice",
                        "would measure: oi-8k-virtual", "would measure: oi-64k-platform");
    }

    @Test
    void theReportTurnsACsvIntoATableAndCharts(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("results.csv"), """
                case,buffer,threads,io,repeat,p1_gbits,p8_gbits,cpu_s_per_gb,rr_mean_us,rr_p50_us,rr_p99_us,rr_p999_us,conn_per_s,syscalls_per_gb,idle_kib_per_conn,held_conns,ns_p1_gbits,ns_p8_gbits,command
                direct,-,-,channel,1,20,25,,30,29,40,60,9000,,,,,,direct
                rinetd,-,-,channel,1,8,10,1.2,60,58,80,300,8000,125000,9,8000,,,rinetd -f -c rinetd.conf
                oi-64k-virtual,64k,virtual,channel,1,12,15,0.6,70,66,90,400,5000,31000,12,7999,,,bin/oi -c oi.conf
                oi-64k-virtual,64k,virtual,channel,2,14,15,0.6,72,66,90,400,5000,,,,,,bin/oi -c oi.conf
                """);
        Process report = new ProcessBuilder("python3", "bench/report.py", dir.toString()).redirectErrorStream(true).start();
        report.getInputStream().readAllBytes();
        assertThat(report.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(report.exitValue()).isZero();
        String summary = java.nio.file.Files.readString(dir.resolve("summary.md"));
        assertThat(summary).contains("| oi-64k-virtual | 13 (12–14) |").contains("| oi-64k-virtual | 0.65× | 1.62× |")
                .containsPattern("\\| oi-64k-virtual \\|.* \\| 12 \\| 7,999 \\|");
        assertThat(dir.resolve("throughput.svg")).content().contains("<svg", "Gbit/s", "1 stream", "8 streams", "oi-64k-virtual");
    }
}
