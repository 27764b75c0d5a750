package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import oi.config.ConfigParser;
import oi.live.ConnectionLimit;
import oi.live.LiveSessions;
import oi.live.Shared;
import oi.report.Report;
import oi.rules.ActiveRule;
import oi.rules.Config;
import oi.rules.LogTarget;
import oi.settings.Settings;
import oi.testing.LogLines;
import oi.testing.TcpServer;
import oi.threads.Threads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A connection's one finally: whatever goes wrong inside it, it closes both sockets, logs once, leaves and gives its slot back. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionLifecycleTest {

    @TempDir
    Path dir;

    /** Virtual threads, except that a connection's second pump thread cannot be had, as when the JVM is out of memory. */
    private static final class NoSecondPump implements Threads {
        @Override
        public void start(String name, Runnable task) {
            if (name.endsWith("b→c")) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory (a test)");
            }
            Thread.ofVirtual().name(name).start(task);
        }

        @Override
        public String describe() {
            return "virtual threads without a second pump";
        }
    }

    @Test
    void aConnectionThatDiesOfAnErrorAfterConnectingClosesBothSocketsLogsOnceAndLeavesTheRegistry() throws Exception {
        Path log = dir.resolve("oi.log");
        CompletableFuture<Integer> backendSaw = new CompletableFuture<>();
        try (TcpServer backend = TcpServer.start(socket -> backendSaw.complete(socket.getInputStream().read()))) {
            Path rules = Files.writeString(dir.resolve("rules.conf"), "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n");
            Config config = new ConfigParser().parse(rules);
            Shared shared = new Shared(Settings.DEFAULTS, new Report(), new LiveSessions(), new ConnectionLimit(), new NoSecondPump());
            shared.report().log().configure(new LogTarget.File(log), false);
            TcpListener listener = TcpListener.bind(new ActiveRule(config.rules().getFirst(), config.globalAccess()), shared,
                    BufferPool.create(Settings.DEFAULTS));
            listener.start();
            try (Socket client = new Socket("127.0.0.1", listener.localPort())) {
                client.setSoTimeout(10_000);
                assertThat(client.getInputStream().read()).as("the client's socket is closed").isEqualTo(-1);
            } finally {
                listener.close();
            }
            assertThat(backendSaw.get(10, TimeUnit.SECONDS)).as("the backend was connected, then closed").isEqualTo(-1);
            List<String> lines = LogLines.await(log, 1);
            assertThat(lines).hasSize(1);
            assertThat(lines.getFirst()).contains("internal-error");
            assertThat(shared.live().awaitEmpty(Duration.ofSeconds(5))).isTrue();
            assertThat(shared.connections().live()).as("the connection-limit slot is back").isZero();
            Thread.sleep(200);
            assertThat(Files.readAllLines(log)).as("exactly one line").hasSize(1);
            shared.report().log().close();
            shared.live().close();
        }
    }
}
