package oi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import oi.runtime.IoMode;
import oi.runtime.ThreadModel;
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
        ProcessBuilder plan = new ProcessBuilder("bash", "bench/experiment.sh").redirectErrorStream(true)
                .redirectOutput(Path.of("target/experiment-dry-run.log").toFile());
        plan.environment().put("DRY_RUN", "1");
        plan.environment().remove("QUICK");
        plan.environment().remove("CASES");
        Process dry = plan.start();
        assertThat(dry.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(dry.exitValue()).isZero();
        String log = Files.readString(Path.of("target/experiment-dry-run.log"));
        List<String> cases = Pattern.compile("(?m)^\\s+would measure: (\\S+)$").matcher(log).results().map(m -> m.group(1)).toList();
        assertThat(log).as("the count it announces is the count it plans").contains(cases.size() + " cases x 3 repeats");
        assertThat(cases).doesNotHaveDuplicates().contains("direct", "rinetd", "haproxy", "haproxy-splice");
        // The study: 8, 16 and 64 KiB buffers under every thread model, and splice under every thread model.
        for (ThreadModel threads : ThreadModel.values()) {
            for (String buffer : List.of("8k", "16k", "64k")) {
                assertThat(cases).contains("oi-" + buffer + "-" + threads);
            }
            assertThat(cases).contains("oi-64k-" + threads + "-" + IoMode.SPLICE);
        }
        // Every oi case names a buffer oi takes, a thread model and, if any, an I/O mode that exist.
        Pattern oiCase = Pattern.compile("oi-(\\d+[km])-([a-z]+)(?:-([a-z]+))?");
        Set<String> threadModels = Arrays.stream(ThreadModel.values()).map(String::valueOf).collect(Collectors.toSet());
        Set<String> ioModes = Arrays.stream(IoMode.values()).map(String::valueOf).collect(Collectors.toSet());
        assertThat(cases.stream().filter(name -> name.startsWith("oi-"))).allSatisfy(name -> {
            Matcher parts = oiCase.matcher(name);
            assertThat(parts.matches()).as(name).isTrue();
            assertThat(threadModels).as(name).contains(parts.group(2));
            if (parts.group(3) != null) {
                assertThat(ioModes).as(name).contains(parts.group(3));
            }
        });
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
