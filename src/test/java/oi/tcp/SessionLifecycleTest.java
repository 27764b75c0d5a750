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
                    BufferPool.create(Settings.DEFAULTS), null);
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

    /** No Forwarder: the registry's own sweeper times the connect out, wherever a connection runs. */
    @Test
    void aConnectionWithoutAForwarderStillGivesUpABackendThatNeverAnswers() throws Exception {
        Path log = dir.resolve("oi.log");
        List<Socket> queued = new java.util.ArrayList<>();
        // A backlog of one that is never accepted: once its queue is full the kernel drops further SYNs.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 4; i++) {
                Socket filler = new Socket();
                try {
                    filler.connect(new java.net.InetSocketAddress("127.0.0.1", silent.getLocalPort()), 300);
                    queued.add(filler);
                } catch (java.io.IOException e) {
                    filler.close();
                    break;
                }
            }
            Path rules = Files.writeString(dir.resolve("rules.conf"), "127.0.0.1 0 127.0.0.1 " + silent.getLocalPort() + "\n");
            Config config = new ConfigParser().parse(rules);
            Settings settings = Settings.of("--connect-timeout", "1");
            Shared shared = new Shared(settings, new Report(), new LiveSessions(), new ConnectionLimit(), Threads.of(settings));
            shared.report().log().configure(new LogTarget.File(log), false);
            TcpListener listener = TcpListener.bind(new ActiveRule(config.rules().getFirst(), config.globalAccess()), shared,
                    BufferPool.create(settings), null);
            listener.start();
            try (Socket client = new Socket("127.0.0.1", listener.localPort())) {
                client.setSoTimeout(10_000);
                long start = System.nanoTime();
                assertThat(client.getInputStream().read()).as("the client's socket is closed").isEqualTo(-1);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("ms until closed").isBetween(700L, 5000L);
            } finally {
                listener.close();
            }
            assertThat(LogLines.await(log, 1).getFirst()).contains("local-connect-failed");
            shared.report().log().close();
            shared.live().close();
        } finally {
            for (Socket filler : queued) {
                filler.close();
            }
        }
    }
}
