package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import oi.metrics.Exposition;
import oi.settings.Settings;
import oi.testing.RunningForwarder;
import oi.testing.Streams;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * rate= and rulerate= hold the bytes back and lose none. Only lower bounds on time are checked
 * here (a limit that works cannot finish early); how close a limit comes to its rate is a
 * benchmark's question (bench/rate.sh).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RateLimitTest {
    private static final long BYTES = 300 * 1024;

    @TempDir
    Path dir;

    @Test
    void aConnectionUnderRateTakesAsLongAsItsBytesNeedAndArrivesIntact() throws Exception {
        CompletableFuture<Streams.Received> atBackend = new CompletableFuture<>();
        try (TcpServer sink = TcpServer.start(socket -> atBackend.complete(Streams.receive(socket.getInputStream())));
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + sink.port() + " [rate=100k]\n", Settings.of())) {
            long start = System.nanoTime();
            String sent;
            try (Socket client = oi.connect(0)) {
                sent = Streams.send(client.getOutputStream(), BYTES, 1);
                client.shutdownOutput();
                Streams.Received received = atBackend.get(30, TimeUnit.SECONDS);
                assertThat(received.sha256()).isEqualTo(sent);
                assertThat(received.bytes()).isEqualTo(BYTES);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).as("300 KiB at 100 KiB/s").isGreaterThanOrEqualTo(2_500);
            assertThat(Exposition.prometheus(oi.forwarder())).containsPattern("oi_throttled_seconds_total\\{[^}]*\\} [1-9]");
        }
    }

    @Test
    void connectionsUnderRuleRateShareItsRate() throws Exception {
        List<CompletableFuture<Streams.Received>> atBackend = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            atBackend.add(new CompletableFuture<>());
        }
        AtomicInteger next = new AtomicInteger();
        try (TcpServer sink = TcpServer.start(socket -> atBackend.get(next.getAndIncrement()).complete(Streams.receive(socket.getInputStream())));
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + sink.port() + " [rulerate=150k]\n", Settings.of())) {
            long start = System.nanoTime();
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int seed = i;
                senders.add(Thread.ofVirtual().start(() -> {
                    try (Socket client = oi.connect(0)) {
                        Streams.send(client.getOutputStream(), BYTES / 2, seed);
                        client.shutdownOutput();
                        client.getInputStream().read();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<Streams.Received> received : atBackend) {
                assertThat(received.get(30, TimeUnit.SECONDS).bytes()).isEqualTo(BYTES / 2);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).as("3 x 150 KiB at 150 KiB/s for the rule").isGreaterThanOrEqualTo(2_500);
            for (Thread sender : senders) {
                sender.join();
            }
        }
    }
}
