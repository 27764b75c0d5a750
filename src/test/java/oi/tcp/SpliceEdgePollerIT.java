package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import oi.settings.Settings;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;

/**
 * Every splice test again with {@code --poller oi}: oi's own edge-triggered poller wakes the
 * pumps and the backend connects instead of the JDK's, which {@link SpliceIT} uses (the default,
 * and where {@code --poller oi} falls back to when the JVM cannot run it).
 */
class SpliceEdgePollerIT extends SpliceIT {

    @Override
    Settings base(String... flags) {
        return super.base(Stream.concat(Stream.of("--poller", "oi"), Stream.of(flags)).toArray(String[]::new));
    }

    @Test
    void thePumpsRunOnOisPoller() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n", base())) {
            assertThat(oi.forwarder().buffers().poller()).as("--poller oi in the jar").isNotNull();
        }
    }
}
