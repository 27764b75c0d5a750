package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import oi.settings.IoMode;
import oi.settings.NoDelay;
import oi.settings.Settings;
import oi.settings.ThreadModel;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every test of the TCP data path again with {@code --io splice}. An IT because only the
 * multi-release jar holds the working splice (JDK 22+): failsafe runs from target/oi.jar.
 */
class SpliceIT extends TcpForwardingTest {

    /** The mode these tests run in; {@link HybridIT} runs them in its own. */
    IoMode mode() {
        return IoMode.SPLICE;
    }

    @Override
    Settings base(String... flags) {
        return List.of(flags).contains("--io") ? Settings.of(flags)
                : Settings.of(Stream.concat(Stream.of("--io", mode().toString()), Stream.of(flags)).toArray(String[]::new));
    }

    @Test
    void spliceIsAvailableInThisJvm() {
        assertThat(Splice.unavailable()).isNull();
    }

    @Override
    @ParameterizedTest(name = "--buffer {0} --threads {1} --nodelay {3}")
    @CsvSource({"8192, VIRTUAL, SPLICE, ALWAYS", "65536, VIRTUAL, SPLICE, ALWAYS", "65536, PLATFORM, SPLICE, ALWAYS",
            "1024, PLATFORM, SPLICE, ALWAYS", "8192, VIRTUAL, SPLICE, AUTO"})
    void sixtyFourMebibytesBothWaysAtOnceArriveIntact(int buffer, ThreadModel threads, IoMode io, NoDelay noDelay) throws Exception {
        super.sixtyFourMebibytesBothWaysAtOnceArriveIntact(buffer, threads, mode(), noDelay); // SPLICE above: this class's mode
    }

    @ParameterizedTest(name = "{0} threads")
    @CsvSource({"VIRTUAL", "PLATFORM"})
    void anIdleTimeoutClosesAConnectionWhosePumpsWaitInsideSplice(ThreadModel threads) throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + " [idle=1]\n",
                     base("--threads", threads.toString()));
             Socket client = oi.connect(0)) {
            client.getOutputStream().write(7);
            assertThat(client.getInputStream().read()).isEqualTo(7);
            long start = System.nanoTime();
            assertThat(client.getInputStream().read()).as("closed by oi while both pumps were parked").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(5))).isTrue();
        }
    }
}
