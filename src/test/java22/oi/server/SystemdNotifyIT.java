package oi.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oi.testing.NotifySocket;
import oi.testing.OiProcess;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd's readiness protocol as a Type=notify-reload unit sees it: {@code bin/oi} with
 * {@code NOTIFY_SOCKET} in its environment, and a real Unix datagram socket standing in for systemd.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SystemdNotifyIT {

    @TempDir
    Path dir;

    private static String rule(int port, int backendPort) {
        return "127.0.0.1 " + port + " 127.0.0.1 " + backendPort + "\n";
    }

    private static List<String> environment(String name, String value) {
        return List.of("env", name + "=" + value);
    }

    private static void sighup(OiProcess oi) throws Exception {
        new ProcessBuilder("kill", "-HUP", Long.toString(oi.process().pid())).start().waitFor();
    }

    /** The CLOCK_MONOTONIC microseconds systemd compares MONOTONIC_USEC with; HotSpot's nanoTime reads that clock on Linux. */
    private static long monotonicMicros() {
        return System.nanoTime() / 1_000;
    }

    @Test
    void readyComesOnceThePortListensAndStoppingOnSigterm() throws Throwable {
        int port = OiProcess.freePort();
        Path conf = dir.resolve("rules.conf");
        try (NotifySocket systemd = NotifySocket.bind(dir.resolve("notify").toString());
             TcpServer backend = TcpServer.echo();
             OiProcess oi = OiProcess.start(dir, rule(port, backend.port()), environment("NOTIFY_SOCKET", systemd.name()))) {
            assertThat(systemd.next()).isEqualTo("READY=1\nSTATUS=listening: 1 rule from " + conf);
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.getOutputStream().write(7);
                assertThat(client.getInputStream().read()).as("forwarding when READY=1 arrives").isEqualTo(7);
            }
            oi.process().destroy(); // SIGTERM
            assertThat(systemd.next()).isEqualTo("STOPPING=1");
            assertThat(oi.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(oi.process().exitValue()).isZero();
            assertThat(systemd.receive(Duration.ofMillis(300))).as("nothing after STOPPING=1").isEmpty();
            assertThat(oi.stderr()).doesNotContain("WARN", "systemd");
        }
    }

    @Test
    void readyWaitsForTheMetricsPortToo() throws Throwable {
        int port = OiProcess.freePort();
        int metrics = OiProcess.freePort();
        try (NotifySocket systemd = NotifySocket.bind(dir.resolve("notify").toString());
             TcpServer backend = TcpServer.echo();
             OiProcess oi = OiProcess.start(dir, rule(port, backend.port()), environment("NOTIFY_SOCKET", systemd.name()),
                     "--metrics", "127.0.0.1:" + metrics)) {
            assertThat(systemd.next()).startsWith("READY=1\n");
            try (Socket scrape = new Socket("127.0.0.1", metrics)) {
                assertThat(scrape.isConnected()).as("--metrics listens when READY=1 arrives").isTrue();
            }
        }
    }

    @Test
    void sighupSendsReloadingStampedWithTheMonotonicClockThenReadyWithTheRulesOrWhyTheFileWasRejected() throws Throwable {
        int first = OiProcess.freePort();
        int second = OiProcess.freePort();
        Path conf = dir.resolve("rules.conf");
        // The abstract namespace, as NOTIFY_SOCKET may name it: a leading @ for the NUL byte.
        try (NotifySocket systemd = NotifySocket.bind("@oi-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
             TcpServer backend = TcpServer.echo();
             OiProcess oi = OiProcess.start(dir, rule(first, backend.port()), environment("NOTIFY_SOCKET", systemd.name()))) {
            assertThat(systemd.next()).startsWith("READY=1\n");

            Files.writeString(conf, rule(first, backend.port()) + rule(second, backend.port()));
            long before = monotonicMicros();
            sighup(oi);
            String reloading = systemd.next();
            long after = monotonicMicros();
            assertThat(reloading).startsWith("RELOADING=1\nMONOTONIC_USEC=");
            assertThat(Long.parseLong(reloading.substring(reloading.indexOf('=', "RELOADING=1".length()) + 1)))
                    .as("stamped after the SIGHUP was sent").isBetween(before, after);
            assertThat(systemd.next()).isEqualTo("READY=1\nSTATUS=reloaded: 2 rules from " + conf);
            oi.awaitListening(second);

            Files.writeString(conf, "bogus\n" + rule(first, backend.port()) + "127.0.0.1 99999 127.0.0.1 9\n");
            sighup(oi);
            assertThat(systemd.next()).startsWith("RELOADING=1\nMONOTONIC_USEC=");
            assertThat(systemd.next()).isEqualTo("READY=1\nSTATUS=reload rejected, still 2 rules from " + conf + ": "
                    + conf + ":1: unknown directive \"bogus\" (and 1 more)");
            try (Socket client = new Socket("127.0.0.1", second)) {
                client.getOutputStream().write(8);
                assertThat(client.getInputStream().read()).as("the old rules still forward").isEqualTo(8);
            }
        }
    }

    @Test
    void aNotifySocketNobodyListensOnIsOneWarningPerMessageAndOiForwardsOn() throws Throwable {
        int port = OiProcess.freePort();
        try (TcpServer backend = TcpServer.echo();
             OiProcess oi = OiProcess.start(dir, rule(port, backend.port()), environment("NOTIFY_SOCKET", dir.resolve("gone").toString()))
                     .awaitListening(port)) {
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.getOutputStream().write(9);
                assertThat(client.getInputStream().read()).isEqualTo(9);
            }
            assertThat(oi.stop()).isZero();
            assertThat(oi.stderr().lines().filter(line -> line.contains("cannot tell systemd")))
                    .as("READY=1 and STOPPING=1").hasSize(2).allMatch(line -> line.contains(" WARN "));
        }
    }

    @Test
    void aNotifySocketThatIsNoSocketAddressIsOneWarningAtStart() throws Throwable {
        int port = OiProcess.freePort();
        try (OiProcess oi = OiProcess.start(dir, rule(port, 9), environment("NOTIFY_SOCKET", "relative/notify")).awaitListening(port)) {
            assertThat(oi.stop()).isZero();
            assertThat(oi.stderr().lines().filter(line -> line.contains("NOTIFY_SOCKET")))
                    .singleElement().asString().contains("WARN").contains("\"relative/notify\": neither a socket path nor @ and an abstract name");
        }
    }

    @Test
    void jdk21sClassesSayOnceThatTheyCannotNotifyAndSendNothing() throws Throwable {
        int port = OiProcess.freePort();
        // target/classes before the jar: the base classes, as a JDK 21 loads them from the multi-release jar.
        try (NotifySocket systemd = NotifySocket.bind(dir.resolve("notify").toString());
             OiProcess oi = OiProcess.startClasses(dir, rule(port, 9), environment("NOTIFY_SOCKET", systemd.name()),
                     List.of(Path.of("target/classes"), Path.of("target/oi.jar")), List.of()).awaitListening(port)) {
            assertThat(oi.stop()).isZero();
            assertThat(systemd.receive(Duration.ofMillis(300))).isEmpty();
            assertThat(oi.stderr().lines().filter(line -> line.contains("NOTIFY_SOCKET"))).singleElement().asString()
                    .contains("telling systemd needs JDK 22 or later");
        }
    }
}
