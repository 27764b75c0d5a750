package oi.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import oi.settings.Settings;
import oi.testing.Fds;
import oi.testing.LogLines;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import oi.testing.UdpEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** UDP rules and the tcp↔udp bridges, with real datagrams on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpForwardingTest {

    @TempDir
    Path dir;

    /**
     * A client socket for the n-th rule's UDP port. Not connected: a connected channel's send
     * skips a 0-byte datagram, and the test must be able to send one.
     */
    private DatagramChannel client(RunningForwarder oi, int rule) throws IOException {
        DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        channel.socket().setSoTimeout(3000);
        targets.put(channel, new InetSocketAddress("127.0.0.1", oi.port(rule)));
        return channel;
    }

    private final java.util.Map<DatagramChannel, InetSocketAddress> targets = new java.util.concurrent.ConcurrentHashMap<>();

    /** Sends one datagram and returns the next one that comes back, or null after the socket timeout. */
    private byte[] exchange(DatagramChannel channel, byte[] payload) throws IOException {
        channel.send(ByteBuffer.wrap(payload), targets.get(channel));
        return receive(channel);
    }

    private static byte[] receive(DatagramChannel channel) throws IOException {
        byte[] buffer = new byte[65_535];
        java.net.DatagramPacket packet = new java.net.DatagramPacket(buffer, buffer.length);
        try {
            channel.socket().receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buffer, packet.getLength());
    }

    private RunningForwarder udpRule(UdpEcho backend, String options, Settings settings) throws Exception {
        return RunningForwarder.start(dir, "logfile " + dir.resolve("oi.log") + "\n127.0.0.1 0/udp 127.0.0.1 " + backend.port()
                + "/udp " + options + "\n", settings);
    }

    @Test
    void aDatagramGoesToTheBackendAndItsReplyComesBack() throws Exception {
        try (UdpEcho backend = new UdpEcho(); RunningForwarder oi = udpRule(backend, "", Settings.DEFAULTS);
             DatagramChannel client = client(oi, 0)) {
            assertThat(exchange(client, "ping".getBytes(StandardCharsets.US_ASCII))).asString(StandardCharsets.US_ASCII)
                    .isEqualTo("ping");
        }
    }

    @Test
    void twoClientsGetOnlyTheirOwnReplies() throws Exception {
        try (UdpEcho backend = new UdpEcho(); RunningForwarder oi = udpRule(backend, "", Settings.DEFAULTS);
             DatagramChannel alice = client(oi, 0); DatagramChannel bob = client(oi, 0)) {
            for (int i = 0; i < 20; i++) {
                alice.send(ByteBuffer.wrap(("alice " + i).getBytes(StandardCharsets.US_ASCII)), targets.get(alice));
                bob.send(ByteBuffer.wrap(("bob " + i).getBytes(StandardCharsets.US_ASCII)), targets.get(bob));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(receive(alice)).asString(StandardCharsets.US_ASCII).startsWith("alice ");
                assertThat(receive(bob)).asString(StandardCharsets.US_ASCII).startsWith("bob ");
            }
            assertThat(backend.senders()).as("one backend socket per client").hasSize(2);
        }
    }

    @Test
    void datagramBoundariesAreKeptFromZeroBytesToTheLargestUdpPayload() throws Exception {
        byte[] big = new byte[65_507]; // the most an IPv4 datagram can carry
        new SplittableRandom(5).nextBytes(big);
        try (UdpEcho backend = new UdpEcho();
             RunningForwarder oi = udpRule(backend, "", Settings.of("--buffer", "8k"));
             DatagramChannel client = client(oi, 0)) {
            assertThat(exchange(client, big)).as("bigger than --buffer, passed whole").isEqualTo(big);
            assertThat(exchange(client, new byte[0])).as("zero-length stays zero-length").isEmpty();
            assertThat(exchange(client, "x".getBytes(StandardCharsets.US_ASCII))).hasSize(1);
        }
    }

    @Test
    void aSessionEndsAfterItsTimeoutAndANewOneStarts() throws Exception {
        try (UdpEcho backend = new UdpEcho(); RunningForwarder oi = udpRule(backend, "[timeout=1]", Settings.DEFAULTS);
             DatagramChannel client = client(oi, 0)) {
            assertThat(exchange(client, new byte[] {1})).hasSize(1);
            assertThat(LogLines.await(dir.resolve("oi.log"), 1).get(0)).contains("\t1\t1\tidle-timeout\t");
            assertThat(exchange(client, new byte[] {2})).hasSize(1);
            assertThat(backend.senders()).as("the second datagram came from a new session's socket").hasSize(2);
        }
    }

    @Test
    void accessRulesDropARefusedClientsDatagramsAndLogItOnce() throws Exception {
        try (UdpEcho backend = new UdpEcho();
             RunningForwarder oi = RunningForwarder.start(dir, "logfile " + dir.resolve("oi.log") + "\n127.0.0.1 0/udp 127.0.0.1 "
                     + backend.port() + "/udp [timeout=1]\ndeny 127.0.0.1\n", Settings.DEFAULTS);
             DatagramChannel client = client(oi, 0)) {
            client.socket().setSoTimeout(300);
            for (int i = 0; i < 5; i++) {
                assertThat(exchange(client, new byte[] {(byte) i})).isNull();
            }
            assertThat(backend.senders()).isEmpty();
            Thread.sleep(1500);
            assertThat(LogLines.await(dir.resolve("oi.log"), 1)).singleElement().asString().contains("\t0\t0\tdenied\t");
        }
    }

    @Test
    void aBurstOfAThousandClientsIsBoundedAndLeaksNothing() throws Exception {
        try (UdpEcho backend = new UdpEcho();
             RunningForwarder oi = udpRule(backend, "[timeout=1]", Settings.of("--udp-sessions", "50"))) {
            try (DatagramChannel warm = client(oi, 0)) {
                exchange(warm, new byte[] {0});
            }
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(5))).isTrue();
            long baseline = Fds.count();
            int replies = 0;
            for (int i = 0; i < 1000; i++) {
                try (DatagramChannel client = client(oi, 0)) {
                    if (exchange(client, new byte[] {(byte) i}) != null) {
                        replies++;
                    }
                }
                assertThat(((UdpListener) oi.listener(0)).sessionCount()).isLessThanOrEqualTo(50);
            }
            assertThat(replies).isEqualTo(1000);
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(5))).as("sessions time out").isTrue();
            assertThat(Fds.awaitAtMost(baseline, Duration.ofSeconds(5))).isLessThanOrEqualTo(baseline);
            // An ephemeral client port may come round again while its session lives: count bytes, not lines.
            java.util.List<String> lines = LogLines.await(dir.resolve("oi.log"), 990);
            assertThat(lines.stream().mapToLong(line -> Long.parseLong(line.split("\t")[6])).sum()).isEqualTo(1001);
            assertThat(lines).filteredOn(line -> line.contains("\tevicted\t")).hasSizeGreaterThan(900);
        }
    }

    @Test
    void tcpToUdpSendsEachReadAsADatagramAndWritesRepliesToTheStream() throws Exception {
        try (UdpEcho backend = new UdpEcho();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "/udp\n", Settings.DEFAULTS);
             Socket client = oi.connect(0)) {
            client.getOutputStream().write("over tcp".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.getInputStream().readNBytes(8)).asString(StandardCharsets.US_ASCII).isEqualTo("over tcp");
        }
    }

    @Test
    void tcpToUdpConnectionIsClosedAfterTheTimeoutWithoutTraffic() throws Exception {
        try (UdpEcho backend = new UdpEcho();
             RunningForwarder oi = RunningForwarder.start(dir, "logfile " + dir.resolve("oi.log") + "\n127.0.0.1 0 127.0.0.1 "
                     + backend.port() + "/udp [timeout=1]\n", Settings.DEFAULTS);
             Socket client = oi.connect(0)) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("ping");
            long start = System.nanoTime();
            assertThat(client.getInputStream().read()).as("a clean end of stream, not a reset").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(4));
            assertThat(LogLines.await(dir.resolve("oi.log"), 1).get(0)).contains("\t4\t4\tidle-timeout\t");
        }
    }

    @Test
    void udpToTcpWritesPayloadsToTheStreamAndSendsWhatComesBackAsDatagrams() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0/udp 127.0.0.1 " + backend.port() + "\n", Settings.DEFAULTS);
             DatagramChannel client = client(oi, 0)) {
            assertThat(exchange(client, "over udp".getBytes(StandardCharsets.US_ASCII))).asString(StandardCharsets.US_ASCII)
                    .isEqualTo("over udp");
            assertThat(backend.accepted()).isEqualTo(1);
        }
    }

    @Test
    void udpToTcpSessionEndsWhenTheBackendCloses() throws Exception {
        try (TcpServer backend = TcpServer.start(socket -> {
                 socket.getInputStream().readNBytes(5);
                 socket.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
             });
             RunningForwarder oi = RunningForwarder.start(dir, "logfile " + dir.resolve("oi.log") + "\n127.0.0.1 0/udp 127.0.0.1 "
                     + backend.port() + "\n", Settings.DEFAULTS);
             DatagramChannel client = client(oi, 0)) {
            assertThat(exchange(client, "hello".getBytes(StandardCharsets.US_ASCII))).asString(StandardCharsets.US_ASCII)
                    .isEqualTo("bye");
            assertThat(LogLines.await(dir.resolve("oi.log"), 1).get(0)).contains("\t5\t3\t");
            assertThat(exchange(client, "again".getBytes(StandardCharsets.US_ASCII))).as("a new session, a new connection")
                    .asString(StandardCharsets.US_ASCII).isEqualTo("bye");
            assertThat(backend.accepted()).isEqualTo(2);
        }
    }

    @Test
    void stopEndsLiveUdpSessionsPromptlyAndLogsEach() throws Exception {
        try (UdpEcho backend = new UdpEcho(); TcpServer tcpBackend = TcpServer.echo()) {
            RunningForwarder oi = RunningForwarder.start(dir, "logfile " + dir.resolve("oi.log") + "\n127.0.0.1 0/udp 127.0.0.1 "
                    + backend.port() + "/udp\n127.0.0.1 0/udp 127.0.0.1 " + tcpBackend.port() + "\n", Settings.DEFAULTS);
            try (DatagramChannel toUdp = client(oi, 0); DatagramChannel toTcp = client(oi, 1)) {
                assertThat(exchange(toUdp, new byte[] {1})).hasSize(1);
                assertThat(exchange(toTcp, new byte[] {2})).hasSize(1);
                long start = System.nanoTime();
                oi.close();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
                assertThat(oi.forwarder().live().count()).isZero();
                assertThat(LogLines.await(dir.resolve("oi.log"), 2)).hasSize(2);
            }
        }
    }

    @Test
    void reloadKeepsTheUdpSocketAndSendsNewSessionsToTheNewBackend() throws Exception {
        try (UdpEcho first = new UdpEcho(); UdpEcho second = new UdpEcho();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0/udp 127.0.0.1 " + first.port() + "/udp\n",
                     Settings.DEFAULTS)) {
            int port = oi.port(0);
            try (DatagramChannel client = client(oi, 0)) {
                assertThat(exchange(client, new byte[] {1})).hasSize(1);
            }
            java.nio.file.Files.writeString(oi.rulesFile(), "127.0.0.1 " + port + "/udp 127.0.0.1 " + second.port() + "/udp\n");
            assertThat(oi.forwarder().reload()).isTrue();
            assertThat(oi.port(0)).as("the same socket, still bound").isEqualTo(port);
            try (DatagramChannel client = client(oi, 0)) {
                assertThat(exchange(client, new byte[] {2})).hasSize(1);
            }
            assertThat(first.senders()).hasSize(1);
            assertThat(second.senders()).as("the new session went to the new backend").hasSize(1);
        }
    }
}
