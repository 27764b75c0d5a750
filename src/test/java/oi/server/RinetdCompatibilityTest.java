package oi.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oi.settings.Settings;
import oi.testing.LogLines;
import oi.testing.OiProcess;
import oi.testing.QuietLogs;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** rinetd behaviour end to end: access rules, both log layouts, the pid file and live reload. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RinetdCompatibilityTest {

    @TempDir
    Path dir;

    /** Sends a line and returns what came back before the forwarder closed the connection; any I/O error fails the test. */
    private static String exchange(RunningForwarder oi, int rule) throws IOException {
        try (Socket client = oi.connect(rule)) {
            client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /**
     * Whether the forwarder closes a new connection cleanly, sending nothing. The client sends
     * nothing either: bytes left unread would turn the close into a reset, and a reset must stay
     * a failure here, not pass for a refusal.
     */
    private static boolean refused(RunningForwarder oi, int rule) throws IOException {
        try (Socket client = oi.connect(rule)) {
            client.setSoTimeout(5000);
            return client.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false; // still open: served, not refused
        }
    }

    @Test
    void refusedClientsAreClosedAtOnceLoggedAndNeverReachTheBackend() throws Exception {
        Path log = dir.resolve("oi.log");
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, """
                     logfile %s
                     deny 127.0.0.2
                     127.0.0.1 0 127.0.0.1 %d
                     127.0.0.1 0 127.0.0.1 %d
                     allow 10.*
                     127.0.0.1 0 127.0.0.1 %d
                     deny 127.0.0.*
                     """.formatted(log, backend.port(), backend.port(), backend.port()), Settings.DEFAULTS)) {
            assertThat(exchange(oi, 0)).isEqualTo("ping\n");
            assertThat(refused(oi, 1)).isTrue();
            assertThat(refused(oi, 2)).isTrue();
            List<String> lines = LogLines.await(log, 3);
            assertThat(backend.accepted()).isEqualTo(1);
            assertThat(lines).anyMatch(line -> line.contains("\t5\t5\tdone-remote-closed\t"));
            assertThat(lines).anyMatch(line -> line.contains("\t0\t0\tnot-allowed\t"));
            assertThat(lines).anyMatch(line -> line.contains("\t0\t0\tdenied\t"));
        }
    }

    @Test
    void anIpv6ClientIsMatchedAndLoggedAsInetNtopWritesIt() throws Exception {
        Path log = dir.resolve("oi.log");
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, """
                     logfile %s
                     allow ::1
                     [::1] 0 127.0.0.1 %d
                     """.formatted(log, backend.port()), Settings.DEFAULTS);
             Socket client = new Socket(InetAddress.getByName("::1"), oi.port(0))) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
            // the client as inet_ntop writes it, then the bind address and port as the rule wrote them
            assertThat(LogLines.await(log, 1).get(0)).contains("\t::1\t::1\t0\t").contains("\tdone-remote-closed\t");
        }
    }

    @Test
    void aRinetdPatternForAnIpv4ClientOnAnIpv6SocketStillApplies() throws Exception {
        // rinetd on [::] sees 127.0.0.1 as ::ffff:127.0.0.1, and a rinetd file denies it so
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, """
                     [::] 0 127.0.0.1 %d
                     deny ::ffff:127.0.0.1
                     [::] 0 127.0.0.1 %d
                     allow ::ffff:127.0.0.*
                     """.formatted(backend.port(), backend.port()), Settings.DEFAULTS)) {
            assertThat(refused(oi, 0)).isTrue();
            assertThat(exchange(oi, 1)).isEqualTo("ping\n");
            assertThat(backend.accepted()).isEqualTo(1);
        }
    }

    @Test
    void aGlobalAllowThatMissesRefusesEveryRule() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "allow 10.0.0.0/8\n127.0.0.1 0 127.0.0.1 " + backend.port() + "\n",
                     Settings.DEFAULTS)) {
            assertThat(refused(oi, 0)).isTrue();
            assertThat(backend.accepted()).isZero();
        }
    }

    @Test
    void logcommonWritesApacheLines() throws Exception {
        Path log = dir.resolve("access.log");
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "logfile " + log + "\nlogcommon\n127.0.0.1 0 127.0.0.1 "
                     + backend.port() + "\n", Settings.DEFAULTS)) {
            assertThat(exchange(oi, 0)).isEqualTo("ping\n");
            assertThat(LogLines.await(log, 1).get(0)).matches(
                    "127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}] \"GET /rinetd-services/127\\.0\\.0\\.1/0/127\\.0\\.0\\.1/"
                            + backend.port() + "/done-remote-closed HTTP/1\\.0\" 200 5 - - - 5");
        }
    }

    @Test
    void thePidFileExistsWhileRunningAndIsRemovedAtExit() throws Exception {
        Path pid = dir.resolve("oi.pid");
        RunningForwarder oi = RunningForwarder.start(dir, "pidlogfile " + pid + "\n127.0.0.1 0 127.0.0.1 9\n", Settings.DEFAULTS);
        assertThat(Files.readString(pid).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        oi.close();
        assertThat(pid).doesNotExist();
    }

    @Test
    void aPidFileThatCannotBeWrittenIsSaidOnceAndTheRulesServeAnyway() throws Exception {
        Path pid = dir.resolve("no-such-dir/oi.pid"); // rinetd too runs on without its pid file
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "pidlogfile " + pid + "\n127.0.0.1 0 127.0.0.1 " + backend.port() + "\n",
                     Settings.DEFAULTS)) {
            assertThat(exchange(oi, 0)).isEqualTo("ping\n");
            assertThat(QuietLogs.lines()).anyMatch(line -> line.contains("cannot write pidlogfile " + pid + ": no such file or directory"));
        }
    }

    @Test
    void reloadAddsAndRemovesRulesWhileALiveConnectionKeepsRunning() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n", Settings.DEFAULTS);
             Socket live = oi.connect(0)) {
            live.getOutputStream().write('a');
            assertThat(live.getInputStream().read()).isEqualTo('a');
            int oldPort = oi.port(0);

            // The old rule goes (its port is not in the new file), a new one comes, with a deny for everyone.
            // A port-0 rule is told apart by its line, so the comment makes the first rule a new one.
            Files.writeString(oi.rulesFile(), "# reloaded\n127.0.0.1 0 127.0.0.1 " + backend.port() + "\n127.0.0.1 0 127.0.0.1 "
                    + backend.port() + "\ndeny *\n");
            assertThat(oi.forwarder().reload()).isTrue();

            assertThat(oi.forwarder().listeners()).hasSize(2).noneMatch(l -> l.localPort() == oldPort);
            assertThat(exchange(oi, 0)).isEqualTo("ping\n");
            assertThat(refused(oi, 1)).isTrue();
            live.getOutputStream().write('b');
            assertThat(live.getInputStream().read()).as("the connection accepted before the reload").isEqualTo('b');
        }
    }

    @Test
    void reloadKeepsAnUnchangedListenerAndAppliesItsNewAccessList() throws Exception {
        try (TcpServer backend = TcpServer.echo()) {
            int port = OiProcess.freePort();
            String rule = "127.0.0.1 " + port + " 127.0.0.1 " + backend.port() + "\n";
            try (RunningForwarder oi = RunningForwarder.start(dir, rule, Settings.DEFAULTS)) {
                var listener = oi.listener(0);
                assertThat(exchange(oi, 0)).isEqualTo("ping\n");
                Files.writeString(oi.rulesFile(), rule + "deny 127.0.0.1\n");
                assertThat(oi.forwarder().reload()).isTrue();
                assertThat(oi.listener(0)).isSameAs(listener);
                assertThat(refused(oi, 0)).isTrue();
            }
        }
    }

    @Test
    void aBrokenFileIsRejectedOnReloadAndTheOldRulesStay() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n", Settings.DEFAULTS)) {
            Files.writeString(oi.rulesFile(), "127.0.0.1 0 127.0.0.1\nbogus\n");
            assertThat(oi.forwarder().reload()).isFalse();
            assertThat(exchange(oi, 0)).isEqualTo("ping\n");
        }
    }

    @Test
    void aReloadWhoseNewAddressCannotBeBoundChangesNothing() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n", Settings.DEFAULTS)) {
            Files.writeString(oi.rulesFile(), "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n127.0.0.1 " + backend.port()
                    + " 127.0.0.1 9\n");
            assertThat(oi.forwarder().reload()).isFalse();
            assertThat(oi.forwarder().listeners()).hasSize(1);
            assertThat(exchange(oi, 0)).isEqualTo("ping\n");
        }
    }

    @Test
    void stopWhenIdleIsTimely() throws Exception {
        RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 9\n", Settings.DEFAULTS);
        long start = System.nanoTime();
        oi.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    }
}
