package oi.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import oi.rules.AccessList;
import oi.rules.Endpoint.Protocol;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;
import oi.rules.LogTarget;
import oi.rules.RuleOptions;
import oi.settings.Settings;
import oi.testing.QuietLogs;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both log layouts, byte for byte as rinetd 0.73 writes them (plus oi's duration field). */
class ConnectionLogTest {
    private static final ZonedDateTime WHEN = ZonedDateTime.of(2026, 11, 25, 2, 22, 6, 0, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static ConnectionRecord record(Outcome outcome) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ForwardRule rule = new ForwardRule(java.nio.file.Path.of("test.conf"), 1, new Endpoint.Inet("0.0.0.0", InetAddress.getByName("0.0.0.0"), 17001, Protocol.TCP),
                new Endpoint.Inet("backend", loopback, 17002, Protocol.TCP), RuleOptions.DEFAULTS, AccessList.EMPTY);
        return new ConnectionRecord(WHEN, "127.0.0.1", rule, rule.connect(), 3, 6, outcome, Duration.ofMillis(1234));
    }

    @Test
    void tabLayoutIsRinetdsWithTheDurationAppended() throws Exception {
        // rinetd 0.73 wrote: "25/Nov/2026:02:22:06 \t127.0.0.1\t127.0.0.1\t17001\t127.0.0.1\t17002\t3\t0\tdone-remote-closed"
        assertThat(ConnectionLog.tabLine(record(Outcome.DONE_REMOTE_CLOSED))).isEqualTo(
                "25/Nov/2026:02:22:06 \t127.0.0.1\t0.0.0.0\t17001\tbackend\t17002\t3\t6\tdone-remote-closed\t1.234"
                        + System.lineSeparator());
    }

    @Test
    void commonLayoutIsApachesWithRinetdsFakeRequest() throws Exception {
        assertThat(ConnectionLog.commonLine(record(Outcome.NOT_ALLOWED))).isEqualTo(
                "127.0.0.1 - - [25/Nov/2026:02:22:06 +0000] \"GET /rinetd-services/0.0.0.0/17001/backend/17002/not-allowed HTTP/1.0\" 200 6 - - - 3"
                        + System.lineSeparator());
    }

    @Test
    void reopenFollowsARotatedFile() throws Exception {
        Path file = dir.resolve("oi.log");
        try (ConnectionLog log = new ConnectionLog()) {
            log.configure(new LogTarget.File(file), false);
            log.record(record(Outcome.DONE_LOCAL_CLOSED));
            Path rotated = Files.move(file, dir.resolve("oi.log.1"));
            log.reopen();
            log.record(record(Outcome.DENIED));
            assertThat(Files.readAllLines(rotated)).singleElement().asString().contains("done-local-closed");
            assertThat(Files.readAllLines(file)).singleElement().asString().contains("\tdenied\t");
        }
    }

    @Test
    void syslogTargetsGetOneRfc3164MessagePerLine() throws Exception {
        try (java.nio.channels.DatagramChannel syslogd = java.nio.channels.DatagramChannel.open()
                .bind(new java.net.InetSocketAddress("127.0.0.1", 0));
             ConnectionLog log = new ConnectionLog()) {
            int port = ((java.net.InetSocketAddress) syslogd.getLocalAddress()).getPort();
            log.configure(new LogTarget.Syslog(new java.net.InetSocketAddress("127.0.0.1", port)), false);
            log.record(record(Outcome.DONE_LOCAL_CLOSED));
            java.nio.ByteBuffer datagram = java.nio.ByteBuffer.allocate(2048);
            syslogd.receive(datagram);
            String message = new String(datagram.array(), 0, datagram.position(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(message).matches("<30>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d oi\\[\\d+]: 25/Nov/2026:02:22:06 \t127\\.0\\.0\\.1\t.*"
                    + "\tdone-local-closed\t1\\.234");
        }
    }

    @Test
    void aRulesFileSyslogTargetGetsOneMessagePerForwardedConnection() throws Exception {
        try (java.nio.channels.DatagramChannel syslogd = java.nio.channels.DatagramChannel.open()
                .bind(new java.net.InetSocketAddress("127.0.0.1", 0));
             TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "logfile syslog:127.0.0.1:"
                     + ((java.net.InetSocketAddress) syslogd.getLocalAddress()).getPort()
                     + "\n127.0.0.1 0 127.0.0.1 " + backend.port() + "\n", Settings.DEFAULTS)) {
            try (java.net.Socket client = oi.connect(0)) {
                client.getOutputStream().write("hi".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(client.getInputStream().readAllBytes()).hasSize(2);
            }
            java.nio.ByteBuffer datagram = java.nio.ByteBuffer.allocate(2048);
            syslogd.receive(datagram);
            String message = new String(datagram.array(), 0, datagram.position(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(message).startsWith("<30>").contains("\t127.0.0.1\t" + backend.port() + "\t2\t2\tdone-");
        }
    }

    @Test
    void withoutATargetRecordsAreDropped() throws Exception {
        Path file = dir.resolve("oi.log");
        try (ConnectionLog log = new ConnectionLog()) {
            assertThat(log.enabled()).isFalse();
            log.record(record(Outcome.DENIED)); // nowhere to write yet: dropped, and no exception
            log.configure(new oi.rules.LogTarget.File(file), false);
            assertThat(log.enabled()).isTrue();
            log.record(record(Outcome.DONE_LOCAL_CLOSED));
            log.configure(null, false); // a reload whose rules file no longer names a logfile
            assertThat(log.enabled()).isFalse();
            log.record(record(Outcome.NOT_ALLOWED));
        }
        assertThat(Files.readAllLines(file)).as("only the record written while the log had its file")
                .singleElement().asString().contains("\tdone-local-closed\t");
    }

    /** A full disk fails every write; that is one warning for the burst, not one line per connection. */
    @Test
    void aLogThatCannotBeWrittenSaysSoOncePerBurst() throws Exception {
        ConnectionLog log = new ConnectionLog();
        log.configure(new LogTarget.File(Path.of("/dev/full")), false);
        for (int i = 0; i < 20; i++) {
            log.record(record(Outcome.DONE_LOCAL_CLOSED));
        }
        log.close();
        assertThat(QuietLogs.lines().stream().filter(line -> line.contains("writing the connection log failed")))
                .singleElement().asString().contains("/dev/full");
    }
}
