package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import oi.settings.IoMode;
import oi.settings.NoDelay;
import oi.settings.Settings;
import oi.settings.ThreadModel;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every test of the TCP data path again with {@code --io hybrid}, and one connection whose traffic goes from replies to bulk and back, so that its pumps switch
 * between the small buffer and the pipe both ways. An IT for the same reason as {@link SpliceIT}.
 */
class HybridIT extends TcpForwardingTest {

    @Override
    Settings base(String... flags) {
        return List.of(flags).contains("--io") ? Settings.of(flags)
                : Settings.of(Stream.concat(Stream.of("--io", "hybrid"), Stream.of(flags)).toArray(String[]::new));
    }

    @Override
    @ParameterizedTest(name = "--buffer {0} --threads {1} --io {2} --nodelay {3}")
    @CsvSource({"8192, VIRTUAL, HYBRID, ALWAYS", "65536, VIRTUAL, HYBRID, ALWAYS", "65536, PLATFORM, HYBRID, ALWAYS",
            "1024, PLATFORM, HYBRID, ALWAYS", "8192, VIRTUAL, HYBRID, AUTO"})
    void sixtyFourMebibytesBothWaysAtOnceArriveIntact(int buffer, ThreadModel threads, IoMode io, NoDelay noDelay) throws Exception {
        super.sixtyFourMebibytesBothWaysAtOnceArriveIntact(buffer, threads, io, noDelay);
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
