package oi.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import oi.metrics.Exposition;
import oi.settings.Settings;
import oi.testing.LogLines;
import oi.testing.OiProcess;
import oi.testing.RunningForwarder;
import oi.testing.Streams;
import oi.testing.TcpServer;
import oi.testing.UdpEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several backends behind one rule, end to end: real backends on loopback, failover, health, backups, reload and UDP. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackendsForwardingTest {
    private static final long BYTES = 256 * 1024;

    @TempDir
    Path dir;

    /** A port nothing listens on: connects to it are refused at once. */
    private static int deadPort() throws IOException {
        return OiProcess.freePort();
    }

    private static boolean refuses(int port) {
        try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as(what).isNegative();
            Thread.sleep(20);
        }
    }

    @Test
    void aRefusedBackendIsSkippedWithinTheConnectionSoNoClientSeesAnError() throws Exception {
        int dead = deadPort();
        Path log = dir.resolve("oi.log");
        try (TcpServer echo = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "logfile " + log + "\n127.0.0.1 0 127.0.0.1 " + dead + "\n"
                     + "backend 127.0.0.1 " + echo.port() + "\n", Settings.of())) {
            for (int i = 0; i < 12; i++) {
                try (Socket client = oi.connect(0)) {
                    assertThat(Streams.echoed(client, BYTES, i)).as("client %d", i).isTrue();
                }
            }
            List<String> lines = LogLines.await(log, 12);
            assertThat(lines).allSatisfy(line -> assertThat(line).contains("\t127.0.0.1\t" + echo.port() + "\t")
                    .contains("done-"));
            BackendState down = oi.listener(0).backends().members().get(0);
            assertThat(down.up()).as("3 failed connects in a row mark it down").isFalse();
            assertThat(down.failures()).isEqualTo(3);
            String status = Exposition.statusJson(oi.forwarder());
            assertThat(status).contains("{\"address\":\"127.0.0.1:" + dead + "\",\"state\":\"down\",\"active\":0,\"failures\":3")
                    .contains("{\"address\":\"127.0.0.1:" + echo.port() + "\",\"state\":\"up\"");
            String metrics = Exposition.prometheus(oi.forwarder());
            String labels = "{rule=\"127.0.0.1:" + oi.port(0) + "\",backend=\"127.0.0.1:";
            assertThat(metrics).contains("oi_backend_up" + labels + dead + "\"} 0\n", "oi_backend_up" + labels + echo.port() + "\"} 1\n",
                    "oi_backend_connect_failures_total" + labels + dead + "\"} 3\n",
                    "oi_backend_connections_active" + labels + echo.port() + "\"} 0\n");
        }
    }

    @Test
    void aBackendThatNeverAnswersIsLeftAfterTheConnectTimeoutForTheNext() throws Exception {
        List<Socket> queued = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             TcpServer echo = TcpServer.echo()) {
            for (int i = 0; i < 4; i++) { // a backlog of one, never accepted: once full, SYNs are dropped
                Socket filler = new Socket();
                try {
                    filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()), 300);
                    queued.add(filler);
                } catch (IOException e) {
                    filler.close();
                    break;
                }
            }
            try (RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + silent.getLocalPort() + "\n"
                         + "backend 127.0.0.1 " + echo.port() + "\n", Settings.of("--connect-timeout", "1"));
                 Socket client = oi.connect(0)) {
                assertThat(Streams.echoed(client, BYTES, 7)).isTrue();
                assertThat(oi.listener(0).backends().members().get(0).failures()).isEqualTo(1);
            }
        } finally {
            for (Socket filler : queued) {
                filler.close();
            }
        }
    }

    @Test
    void whenEveryBackendFailsTheClientIsClosedAndTheLogNamesTheLastTried() throws Exception {
        int first = deadPort();
        int second = deadPort();
        Path log = dir.resolve("oi.log");
        try (RunningForwarder oi = RunningForwarder.start(dir, "logfile " + log + "\n127.0.0.1 0 127.0.0.1 " + first + "\n"
                + "backend 127.0.0.1 " + second + "\n", Settings.of());
             Socket client = oi.connect(0)) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            String line = LogLines.await(log, 1).getFirst();
            assertThat(line).contains("\t127.0.0.1\t" + second + "\t").contains("local-connect-failed");
        }
    }

    @Test
    void aBackupServesOnlyWhileNoPrimaryIsUp() throws Exception {
        try (TcpServer primary = TcpServer.echo();
             TcpServer backup = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + primary.port() + " [maxfails=1]\n"
                     + "backend 127.0.0.1 " + backup.port() + " [backup]\n", Settings.of())) {
            for (int i = 0; i < 5; i++) {
                try (Socket client = oi.connect(0)) {
                    assertThat(Streams.echoed(client, BYTES, i)).isTrue();
                }
            }
            assertThat(backup.accepted()).isZero();
            primary.close();
            // The test backend's accept thread is a virtual one, whose socket closes for good only
            // once that thread has left accept(): until a connect is refused, one more may land there.
            awaitTrue("the primary refuses connects", () -> refuses(primary.port()));
            for (int i = 0; i < 5; i++) {
                try (Socket client = oi.connect(0)) {
                    assertThat(Streams.echoed(client, BYTES, i)).isTrue();
                }
            }
            assertThat(backup.accepted()).isEqualTo(5);
            assertThat(oi.listener(0).backends().members().get(0).failures()).as("down after one: tried by no one since")
                    .isEqualTo(1);
        }
    }

    @Test
    void activeProbesMarkADeadBackendDownAndBringItBackWithoutAnyClient() throws Exception {
        int port = deadPort();
        try (TcpServer echo = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + port + " [check=1,maxfails=2]\n"
                     + "backend 127.0.0.1 " + echo.port() + "\n", Settings.of())) {
            BackendState probed = oi.listener(0).backends().members().get(0);
            awaitTrue("two failed probes mark it down", () -> !probed.up());
            assertThat(probed.failures()).as("probes are not client connects").isZero();
            try (ServerSocket back = new ServerSocket()) {
                back.setReuseAddress(true);
                back.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                long start = System.nanoTime();
                awaitTrue("two good probes bring it back", probed::up);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("within check + 1 s, and a margin")
                        .isLessThan(4_000);
            }
        }
    }

    @Test
    void aReloadKeepsTheStateOfUnchangedBackendsAndARemovedOneKeepsItsConnections() throws Exception {
        int dead = deadPort();
        int port = OiProcess.freePort(); // a fixed port: a reload keeps a listener by its address
        try (TcpServer kept = TcpServer.echo();
             TcpServer removed = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 " + port + " 127.0.0.1 " + dead + " [maxfails=1]\n"
                     + "backend 127.0.0.1 " + removed.port() + "\nbackend 127.0.0.1 " + kept.port() + "\n", Settings.of())) {
            List<Socket> live = new ArrayList<>();
            while (removed.accepted() == 0) { // round robin: one of the first few clients lands on it
                Socket client = oi.connect(0);
                client.getOutputStream().write('x');
                assertThat(client.getInputStream().read()).isEqualTo('x');
                live.add(client);
            }
            BackendState deadState = oi.listener(0).backends().members().get(0);
            assertThat(deadState.up()).isFalse();
            Files.writeString(oi.rulesFile(), Files.readString(oi.rulesFile()).replace("backend 127.0.0.1 " + removed.port() + "\n", ""));
            assertThat(oi.forwarder().reload()).isTrue();
            assertThat(oi.port(0)).isEqualTo(port);
            List<BackendState> members = oi.listener(0).backends().members();
            assertThat(members).hasSize(2);
            assertThat(members.get(0)).as("state kept").isSameAs(deadState);
            int before = removed.accepted();
            for (int i = 0; i < 4; i++) {
                try (Socket client = oi.connect(0)) {
                    assertThat(Streams.echoed(client, BYTES, i)).isTrue();
                }
            }
            assertThat(removed.accepted()).as("a removed backend takes no new clients").isEqualTo(before);
            for (Socket client : live) { // and the connections it had go on
                client.getOutputStream().write('y');
                assertThat(client.getInputStream().read()).isEqualTo('y');
                client.close();
            }
        }
    }

    @Test
    void aUdpClientStaysOnTheBackendItsSessionStartedWith() throws Exception {
        try (UdpEcho a = new UdpEcho();
             UdpEcho b = new UdpEcho();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0/udp 127.0.0.1 " + a.port() + "/udp\n"
                     + "backend 127.0.0.1 " + b.port() + "\n", Settings.of())) {
            for (int c = 0; c < 2; c++) {
                try (DatagramChannel client = DatagramChannel.open()) {
                    client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), oi.port(0)));
                    client.socket().setSoTimeout(5_000);
                    for (int i = 0; i < 5; i++) {
                        byte[] payload = ("client " + c + " datagram " + i).getBytes(StandardCharsets.US_ASCII);
                        client.write(ByteBuffer.wrap(payload));
                        ByteBuffer reply = ByteBuffer.allocate(100);
                        client.socket().getChannel().read(reply);
                        assertThat(new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII))
                                .isEqualTo("client " + c + " datagram " + i);
                    }
                }
            }
            // One forwarder socket per session, each on one backend: two clients, one on each.
            assertThat(a.senders()).hasSize(1);
            assertThat(b.senders()).hasSize(1);
        }
    }
}
