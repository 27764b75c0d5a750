package oi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import oi.settings.IoMode;
import oi.settings.Scheduler;
import oi.settings.ThreadModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The benchmark tools' arithmetic and the experiment harness, so they cannot rot; {@code oi.cli.BenchCommandTest} runs the modes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchTest {

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
    void theHarnessPlansEveryBufferForEveryThreadModelAndIoMode() throws Exception {
        String log = dryRun(null);
        List<String> cases = Pattern.compile("(?m)^\\s+would measure: (\\S+)").matcher(log).results().map(m -> m.group(1)).toList();
        assertThat(log).as("the count it announces is the count it plans").containsPattern(cases.size() + " cases x \\d+ repeats");
        assertThat(cases).doesNotHaveDuplicates().contains("direct", "rinetd", "haproxy-splice");
        // The study: 8, 16 and 64 KiB buffers under every thread model, and splice under every thread model.
        for (ThreadModel threads : ThreadModel.values()) {
            for (String buffer : List.of("8k", "16k", "64k")) {
                assertThat(cases).anyMatch(name -> name.startsWith("oi-" + buffer + "-" + threads));
            }
            assertThat(cases).anyMatch(name -> name.startsWith("oi-64k-" + threads + "-" + IoMode.SPLICE));
        }
        // Every oi case names a buffer oi takes, a thread model and, if any, an I/O mode and a scheduler that exist.
        Pattern oiCase = Pattern.compile("oi-(\\d+[km])-([a-z]+)(?:-([a-z]+))?(?:-([a-z]+))?");
        Set<String> threadModels = Arrays.stream(ThreadModel.values()).map(String::valueOf).collect(Collectors.toSet());
        Set<String> ioModes = Arrays.stream(IoMode.values()).map(String::valueOf).collect(Collectors.toSet());
        Set<String> schedulers = Arrays.stream(Scheduler.values()).map(String::valueOf).collect(Collectors.toSet());
        assertThat(cases.stream().filter(name -> name.startsWith("oi-"))).allSatisfy(name -> {
            Matcher parts = oiCase.matcher(name);
            assertThat(parts.matches()).as(name).isTrue();
            assertThat(threadModels).as(name).contains(parts.group(2));
            if (parts.group(3) != null) {
                assertThat(ioModes).as(name).contains(parts.group(3));
            }
            if (parts.group(4) != null) {
                assertThat(schedulers).as(name).contains(parts.group(4));
            }
        });
    }

    @Test
    void aCaseNameCarriesItsIoAndSchedulerAndTheFlagsFollowIt() throws Exception {
        assertThat(dryRun("oi-64k-virtual-channel-poller oi-16k-platform-splice oi-8k-virtual"))
                .containsPattern("3 cases x \\d+ repeats")
                .contains("(bin/oi -c oi.conf --buffer 64k --threads virtual --io channel --scheduler poller)")
                .contains("(bin/oi -c oi.conf --buffer 16k --threads platform --io splice)")
                .contains("(bin/oi -c oi.conf --buffer 8k --threads virtual --io channel)");
        assertThat(dryRunStatus("oi-64k-virtual-fast")).isEqualTo(2);
    }

    private static String dryRun(String cases) throws Exception {
        assertThat(dryRunStatus(cases)).isZero();
        return Files.readString(Path.of("target/experiment-dry-run.log"));
    }

    private static int dryRunStatus(String cases) throws Exception {
        ProcessBuilder plan = new ProcessBuilder("bash", "bench/experiment.sh").redirectErrorStream(true)
                .redirectOutput(Path.of("target/experiment-dry-run.log").toFile());
        plan.environment().put("DRY_RUN", "1");
        plan.environment().remove("QUICK");
        plan.environment().remove("REPEAT");
        if (cases == null) {
            plan.environment().remove("CASES");
        } else {
            plan.environment().put("CASES", cases);
        }
        Process dry = plan.start();
        assertThat(dry.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return dry.exitValue();
    }

    @Test
    void theReportTurnsACsvIntoTablesAndChartsWithTheRunRecord(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("results.csv"), """
                case,buffer,threads,io,scheduler,repeat,kind,order,pin,p1_gbits,p8_gbits,cpu_s_per_gb_p1,cs_per_gb_p1,sp_mean_us,sp_p999_us,conn_per_s,conn_failed,data_calls_per_gb,idle_kib_per_conn,held_conns,command
                direct,,,,,1,loopback,1,0,20,25,,,10,60,9000,0,,,,direct
                rinetd,16k,,,,1,loopback,2,0,8,10,1.2,9000,30,300,8000,0,125000,,,rinetd -f -c rinetd.conf
                rinetd,16k,,,,1,idle,2,0,,,,,,,,,,9,,rinetd -f -c rinetd.conf
                rinetd,16k,,,,2,loopback,2,0,,12,,,,,,,,,,rinetd -f -c rinetd.conf
                oi-8k-virtual,8k,virtual,channel,,1,loopback,3,0,6,8,1.0,20000,70,400,5000,3,250000,,,bin/oi -c oi.conf
                oi-64k-virtual,64k,virtual,channel,,1,loopback,4,0,12,15,0.6,4000,70,400,5000,0,31000,,,bin/oi -c oi.conf
                oi-64k-virtual,64k,virtual,channel,,2,loopback,1,0,14,15,0.6,4000,72,400,5000,0,31000,,,bin/oi -c oi.conf
                oi-64k-virtual,64k,virtual,channel,,1,idle,4,0,,,,,,,,,,12,7999,bin/oi -c oi.conf
                """);
        java.nio.file.Files.createDirectories(dir.resolve("raw"));
        java.nio.file.Files.writeString(dir.resolve("raw/syscalls-oi-64k-virtual-r1.txt.calls"), "500000000 read=8000,write=8000,futex=1000\n");
        java.nio.file.Files.writeString(dir.resolve("manifest.txt"), "date=2026-12-01T00:00:00Z\nkernel=Linux 6.1\njdk=25.0.3\ncommit=abc123\nREPEAT=2\n");
        Process report = new ProcessBuilder("python3", "bench/report.py", dir.toString()).redirectErrorStream(true).start();
        String output = new String(report.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(report.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(report.exitValue()).as(output).isZero();
        String summary = java.nio.file.Files.readString(dir.resolve("summary.md"));
        assertThat(summary).contains("| oi-64k-virtual | 13 (12–14) | 15 |").contains("run: date 2026-12-01T00:00:00Z")
                .contains("commit abc123").contains("| oi-8k-virtual | 5,000 | 3 |").contains("| 0 | 12 | 7,999 |")
                .contains("| syscall | oi-64k-virtual |", "| **read** | 16,000 |", "| futex | 2,000 |").doesNotContain("REPEAT=2 ·  ·");
        // P=1 / rinetd is 13 / 8; the added latency is the case's mean minus direct's (71 - 10) over rinetd's (30 - 10).
        assertThat(summary).containsPattern("\\| oi-64k-virtual \\| 1\\.62× \\|").contains("3.05×");
        // P=8 / rinetd: 15 over rinetd's median of 10 and 12, and in brackets the ratio within each repeat, 15/12 and 15/10;
        // P=1 has one repeat with both cases, so no range.
        assertThat(summary).contains("| 1.36× (1.25–1.50) |");
        assertThat(dir.resolve("throughput.svg")).content().contains("<svg", "Gbit/s", "1 stream", "8 streams", "oi-64k-virtual",
                ">13<", "commit abc123");
        assertThat(dir.resolve("sweep-calls.svg")).content().contains("buffer size", "8 KiB", "64 KiB", "oi virtual channel",
                "rinetd (16 KiB fixed)", "250,000");
        assertThat(dir.resolve("idle.svg")).content().contains("bars: one sample each").doesNotContain("median");
    }
}
