package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import oi.testing.OiProcess;
import oi.testing.Streams;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code --buffer} the JVM cannot back degrades service instead of leaking it: under a 64 MiB
 * direct-memory limit, eight parallel 32 MiB transfers through 16 MiB buffers all complete
 * intact (pumps that get no loan go on with their small buffers), nothing hangs, descriptors
 * return to where they were, and the next client is served.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BufferBudgetIT {
    private static final long LENGTH = 32L << 20;

    @TempDir
    Path dir;

    private static long descriptors(Process process) throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return fds.count();
        }
    }

    /** Sends {@code LENGTH} bytes through oi to the echo and reads them back; true when they came back intact. */
    private static boolean echoedIntact(int port, long seed) {
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            return Streams.echoed(client, LENGTH, seed);
        } catch (Exception e) {
            return false; // closed by oi: allowed, as long as it was prompt (the timeouts above bound it)
        }
    }

    @Test
    void eightTransfersThroughSixteenMegabyteBuffersUnderASixtyFourMegabyteLimit() throws Exception {
        try (TcpServer backend = TcpServer.echo()) {
            int port = OiProcess.freePort();
            try (OiProcess oi = OiProcess.start(dir, "127.0.0.1 " + port + " 127.0.0.1 " + backend.port() + "\n",
                    List.of("env", "OI_JAVA_OPTS=-XX:MaxDirectMemorySize=64m"), "--buffer", "16m", "--io", "channel")
                    .awaitListening(port)) {
                assertThat(echoedIntact(port, 1)).as("a first transfer, warming up").isTrue();
                Thread.sleep(500);
                long baseline = descriptors(oi.process());

                List<CompletableFuture<Boolean>> transfers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    long seed = 100 + i;
                    CompletableFuture<Boolean> transfer = new CompletableFuture<>();
                    Thread.ofVirtual().start(() -> transfer.complete(echoedIntact(port, seed)));
                    transfers.add(transfer);
                }
                long intact = 0;
                for (CompletableFuture<Boolean> transfer : transfers) {
                    intact += transfer.get(90, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(intact).as("transfers that arrived intact; " + oi.stderr()).isEqualTo(8);
                assertThat(oi.stderr()).doesNotContain("OutOfMemoryError").doesNotContain("Exception");

                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (descriptors(oi.process()) > baseline && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(descriptors(oi.process())).as("oi's descriptors").isLessThanOrEqualTo(baseline);
                assertThat(echoedIntact(port, 2)).as("a new connection afterwards").isTrue();
                assertThat(oi.stop()).isZero();
            }
        }
    }
}
