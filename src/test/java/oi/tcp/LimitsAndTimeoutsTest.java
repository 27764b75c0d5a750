package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import oi.settings.Settings;
import oi.testing.LogLines;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** --max-conns, [maxconns=N], idle timeouts and drain, with real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsAndTimeoutsTest {

    @TempDir
    Path dir;

    /** Whether the forwarder echoes a byte on this connection (served) or closes it (refused). */
    private static boolean served(Socket client) throws IOException {
        client.setSoTimeout(5000);
        try {
            client.getOutputStream().write(7);
            return client.getInputStream().read() == 7;
        } catch (IOException e) {
            return false; // reset by the forwarder: refused
        }
    }

    /** Whether the forwarder has closed this connection (an end or a reset), rather than left it open. */
    private static boolean endedByTheForwarder(Socket client) throws IOException {
        client.setSoTimeout(5000);
        try {
            return client.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset: the forwarder aborted it
        }
    }

    private static List<Socket> open(RunningForwarder oi, int rule, int count) {
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clients.add(oi.connect(rule));
        }
        return clients;
    }

    private static void closeAll(List<Socket> clients) throws IOException {
        for (Socket client : clients) {
            client.close();
        }
    }

    @Test
    void maxConnsServesExactlyNAndRefusesTheRestUntilSlotsFree() throws Exception {
        int limit = 10;
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "logfile " + dir.resolve("oi.log") + "\n127.0.0.1 0 127.0.0.1 "
                     + backend.port() + "\n", Settings.of("--max-conns", Integer.toString(limit)))) {
            List<Socket> first = open(oi, 0, limit);
            for (Socket client : first) {
                assertThat(served(client)).isTrue();
            }
            List<Socket> extra = open(oi, 0, 5);
            for (Socket client : extra) {
                assertThat(served(client)).as("a client past --max-conns").isFalse();
            }
            assertThat(backend.accepted()).isEqualTo(limit);
            assertThat(LogLines.await(dir.resolve("oi.log"), 5)).allMatch(line -> line.contains("\trefused-maxconns\t"));
            closeAll(extra);
            closeAll(first);
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(5))).isTrue();
            List<Socket> again = open(oi, 0, limit);
            for (Socket client : again) {
                assertThat(served(client)).as("slots come back when connections end").isTrue();
            }
            closeAll(again);
        }
    }

    @Test
    void maxconnsOnOneRuleLeavesTheOtherRuleAlone() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + " [maxconns=3]\n"
                     + "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n", Settings.DEFAULTS)) {
            List<Socket> limited = open(oi, 0, 3);
            for (Socket client : limited) {
                assertThat(served(client)).isTrue();
            }
            try (Socket fourth = oi.connect(0)) {
                assertThat(served(fourth)).isFalse();
            }
            List<Socket> other = open(oi, 1, 8);
            for (Socket client : other) {
                assertThat(served(client)).isTrue();
            }
            closeAll(limited);
            closeAll(other);
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(5))).isTrue();
            try (Socket again = oi.connect(0)) {
                assertThat(served(again)).isTrue();
            }
        }
    }

    @Test
    void idleTimeoutClosesAnIdleConnectionAndLeavesAnActiveOneAlone() throws Exception {
        Path log = dir.resolve("oi.log");
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "logfile " + log + "\n127.0.0.1 0 127.0.0.1 " + backend.port()
                     + "\n", Settings.of("--idle-timeout", "1"));
             Socket idle = oi.connect(0);
             Socket active = oi.connect(0)) {
            assertThat(served(idle)).isTrue();
            assertThat(served(active)).isTrue();
            long start = System.nanoTime();
            CompletableFuture<Integer> idleEnd = CompletableFuture.supplyAsync(() -> {
                try {
                    return idle.getInputStream().read();
                } catch (IOException e) {
                    return -2;
                }
            });
            while (!idleEnd.isDone() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4)) {
                assertThat(served(active)).as("a connection that moves bytes").isTrue();
                Thread.sleep(200);
            }
            assertThat(idleEnd.get(1, TimeUnit.SECONDS)).as("the idle connection sees a clean end").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(served(active)).isTrue();
            assertThat(LogLines.await(log, 1).get(0)).contains("\tidle-timeout\t");
        }
    }

    @Test
    void theRulesIdleOptionOverridesTheCommandLine() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + " [idle=1]\n",
                     Settings.DEFAULTS);
             Socket idle = oi.connect(0)) {
            assertThat(served(idle)).isTrue();
            idle.setSoTimeout(4000);
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void drainLetsALiveConnectionFinishBeforeStopReturns() throws Exception {
        try (TcpServer backend = TcpServer.echo()) {
            RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n",
                    Settings.of("--drain", "10"));
            Socket client = oi.connect(0);
            assertThat(served(client)).isTrue();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(oi::close);
            Thread.sleep(300);
            assertThat(stopping).as("stop waits for the live connection").isNotDone();
            assertThat(served(client)).as("the live connection still works while draining").isTrue();
            client.shutdownOutput();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            client.close();
            stopping.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void hurryCutsTheDrainShort() throws Exception {
        try (TcpServer backend = TcpServer.echo()) {
            RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n",
                    Settings.of("--drain", "30"));
            try (Socket client = oi.connect(0)) {
                assertThat(served(client)).isTrue();
                CompletableFuture<Void> stopping = CompletableFuture.runAsync(oi::close);
                Thread.sleep(300);
                assertThat(stopping).as("the drain holds stop while the connection lives").isNotDone();
                assertThat(served(client)).as("the connection still works while draining").isTrue();
                oi.forwarder().hurry();
                stopping.get(5, TimeUnit.SECONDS); // long before the 30 s drain would end by itself
                assertThat(endedByTheForwarder(client)).as("hurry ended the connection").isTrue();
            }
        }
    }
}
