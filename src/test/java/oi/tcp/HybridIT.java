package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import oi.settings.IoMode;
import oi.settings.ThreadModel;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every test of {@link SpliceIT} again with {@code --io hybrid}, and one connection whose
 * traffic goes from replies to bulk and back, so that its pumps switch between the small buffer
 * and the pipe both ways. An IT for the same reason as {@link SpliceIT}.
 */
class HybridIT extends SpliceIT {

    @Override
    IoMode mode() {
        return IoMode.HYBRID;
    }

    @ParameterizedTest(name = "{0} threads")
    @CsvSource({"VIRTUAL", "PLATFORM"})
    void repliesAndBulkTakeTurnsOnOneConnectionAndEveryByteComesBackInOrder(ThreadModel threads) throws Exception {
        int[] sizes = {100, 4 << 20, 700, 1024, 1025, 3 << 20, 1, 65_539, 5, 2 << 20, 1023};
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n",
                     base("--threads", threads.toString()));
             Socket client = oi.connect(0)) {
            client.setSoTimeout(30_000);
            Random random = new Random(23);
            for (int size : sizes) {
                byte[] sent = new byte[size];
                random.nextBytes(sent);
                OutputStream out = client.getOutputStream();
                CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                    try {
                        out.write(sent);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, command -> Thread.ofVirtual().start(command));
                byte[] back = client.getInputStream().readNBytes(size);
                written.get(30, TimeUnit.SECONDS);
                assertThat(back).as("the echo of " + size + " bytes").isEqualTo(sent);
            }
        }
    }
}
