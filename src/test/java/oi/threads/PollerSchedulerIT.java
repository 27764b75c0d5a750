package oi.threads;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import oi.testing.OiProcess;
import oi.testing.Streams;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --scheduler poller} in bin/oi, where the pollers really are platform threads that run
 * the virtual threads they wake: checksummed bulk both ways, no starvation of an interactive
 * connection beside a bulk one, and the fallback to the JDK's scheduler where the JVM does not
 * open what it needs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PollerSchedulerIT {
    private static final long SIZE = 64L << 20;

    @TempDir
    Path dir;

    private static String rule(int port, int backendPort) {
        return "127.0.0.1 " + port + " 127.0.0.1 " + backendPort + "\n";
    }

    @ParameterizedTest(name = "--buffer {0} --io {1}")
    @CsvSource({"8k, channel", "64k, channel", "64k, splice", "64k, hybrid", "64k, auto"})
    void sixtyFourMebibytesBothWaysArriveIntact(String buffer, String io) throws Exception {
        int port = OiProcess.freePort();
        try (TcpServer backend = TcpServer.echo();
             OiProcess oi = OiProcess.start(dir, rule(port, backend.port()), "--scheduler", "poller", "--buffer", buffer,
                     "--io", io).awaitListening(port);
             Socket client = new Socket("127.0.0.1", port)) {
            assertThat(oi.stderr()).contains("virtual threads, poller scheduler");
            if (io.equals("splice")) {
                assertThat(oi.stderr()).as("the JDK's pollers wake splice pumps by default").contains("io splice, poller jdk");
            }
            if (io.equals("auto")) {
                assertThat(oi.stderr()).as("auto is splice where this JVM can").contains("io splice (auto), poller jdk");
            }
            client.setSoTimeout(60_000);
            assertThat(Streams.echoed(client, SIZE, 11)).isTrue();
            assertThat(oi.stop()).as(oi.stderr()).isZero();
        }
    }

    @Test
    void aBulkTransferBesideAnInteractiveOneLeavesItsRoundTripsBounded() throws Exception {
        int sinkPort;
        AtomicBoolean bulkRunning = new AtomicBoolean(true);
        try (TcpServer sink = TcpServer.start(socket -> socket.getInputStream().transferTo(OutputStream.nullOutputStream()));
             TcpServer echo = TcpServer.echo()) {
            sinkPort = sink.port();
            int bulkPort = OiProcess.freePort();
            int chatPort = OiProcess.freePort();
            try (OiProcess oi = OiProcess.start(dir, rule(bulkPort, sinkPort) + rule(chatPort, echo.port()),
                    "--scheduler", "poller").awaitListening(chatPort);
                 Socket bulk = new Socket("127.0.0.1", bulkPort);
                 Socket chat = new Socket("127.0.0.1", chatPort)) {
                Thread pusher = Thread.ofPlatform().start(() -> {
                    byte[] chunk = new byte[256 * 1024];
                    try (OutputStream out = bulk.getOutputStream()) {
                        while (bulkRunning.get()) {
                            out.write(chunk);
                        }
                    } catch (Exception e) {
                        // ended by the test
                    }
                });
                Thread.sleep(300); // the bulk transfer is in full flow
                chat.setTcpNoDelay(true);
                chat.setSoTimeout(10_000);
                OutputStream out = chat.getOutputStream();
                InputStream in = new DataInputStream(chat.getInputStream());
                long worst = 0;
                for (int i = 0; i < 300; i++) {
                    long start = System.nanoTime();
                    out.write(i & 0x7f);
                    assertThat(in.read()).isEqualTo(i & 0x7f);
                    worst = Math.max(worst, System.nanoTime() - start);
                }
                bulkRunning.set(false);
                pusher.join(10_000);
                // Not a speed goal: a starved connection waits for the whole bulk transfer, seconds here.
                assertThat(TimeUnit.NANOSECONDS.toMillis(worst)).as("the slowest of 300 round trips, in ms").isLessThan(500);
                assertThat(oi.stop()).isZero();
            }
        }
    }

    /** On one core the pollers and the carriers would share it, and the JDK's scheduler accepts faster (docs/experiments.md, PIN=1). */
    @Test
    void theDefaultSchedulerIsTheJdksOnOneCoreAndThePollerOnMore() throws Exception {
        assertThat(startupLine("taskset", "-c", "0")).contains("virtual threads, jdk scheduler (auto, 1 core)");
        if (Runtime.getRuntime().availableProcessors() > 1) {
            assertThat(startupLine()).contains("virtual threads, poller scheduler (auto, ");
        }
    }

    /** The startup line of bin/oi run behind {@code prefix}, e.g. taskset. */
    private String startupLine(String... prefix) throws Exception {
        int port = OiProcess.freePort();
        Path conf = Files.writeString(dir.resolve("rules-" + port + ".conf"), "127.0.0.1 " + port + " 127.0.0.1 9\n");
        List<String> command = new java.util.ArrayList<>(List.of(prefix));
        command.addAll(List.of(Path.of("bin/oi").toAbsolutePath().toString(), "-c", conf.toString()));
        Path out = dir.resolve("out-" + port);
        Process oi = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && !Files.readString(out).contains("listening on")) {
                Thread.sleep(100);
            }
            return Files.readString(out).lines().filter(line -> line.contains("listening on")).findFirst().orElse("");
        } finally {
            oi.destroy();
            oi.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutTheJdksBuilderItFallsBackToTheJdkSchedulerAndSaysSoOnce() throws Exception {
        int port = OiProcess.freePort();
        Path conf = Files.writeString(dir.resolve("rules.conf"), "127.0.0.1 " + port + " 127.0.0.1 9\n");
        // The jar on the classpath instead of java -jar: its manifest's Add-Opens do not apply.
        Process oi = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", Path.of("target/oi.jar").toAbsolutePath().toString(), "oi.cli.Main", "-c", conf.toString(), "--scheduler", "poller")
                .redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String out = "";
            while (System.nanoTime() < deadline && !out.contains("listening on")) {
                Thread.sleep(100);
                out = Files.readString(dir.resolve("out"));
            }
            assertThat(out).contains("listening on").contains("virtual threads, jdk scheduler");
            List<String> why = out.lines().filter(line -> line.contains("--scheduler poller")).toList();
            assertThat(why).singleElement().asString().contains("using the JDK's scheduler");
        } finally {
            oi.destroy();
            oi.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
