package oi.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oi.config.Config;
import oi.config.ConfigParser;
import oi.log.Outcome;
import oi.tcp.TcpListener;
import oi.testing.LogLines;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The one session lifecycle: whatever a session's forwarding does, its end closes, logs and leaves. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionLifecycleTest {

    @TempDir
    Path dir;

    /** A session whose forwarding opens its backend, sends a byte and then dies of an Error, as out of memory would. */
    private static final class DyingSession extends Session {
        private final SocketChannel client;
        private final int backendPort;
        private volatile SocketChannel backend;

        DyingSession(Admission admission, SocketChannel client, int backendPort) {
            super(admission, 0);
            this.client = client;
            this.backendPort = backendPort;
        }

        @Override
        protected Outcome forward() throws IOException {
            backend = SocketChannel.open(new InetSocketAddress("127.0.0.1", backendPort));
            backend.write(ByteBuffer.wrap(new byte[] {42}));
            throw new OutOfMemoryError("Cannot reserve 16777216 bytes of direct buffer memory (a test)");
        }

        @Override
        protected void closeSockets() throws IOException {
            client.close();
            if (backend != null) {
                backend.close();
            }
        }

        @Override
        public void abort() {
        }

        @Override
        protected void closeIdle() {
        }
    }

    @Test
    void aSessionWhoseForwardingThrowsAnErrorClosesBothSocketsLogsOnceAndLeavesTheRegistry() throws Exception {
        Path log = dir.resolve("oi.log");
        java.util.concurrent.CompletableFuture<Integer> backendSaw = new java.util.concurrent.CompletableFuture<>();
        try (TcpServer backend = TcpServer.start(socket -> {
            int first = socket.getInputStream().read();
            int end = socket.getInputStream().read(); // end of stream once the session's end closed its side
            backendSaw.complete(end == -1 ? first : -2);
        })) {
            Path rules = Files.writeString(dir.resolve("rules.conf"), "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n");
            Config config = new ConfigParser().parse(rules);
            Context context = Context.create(Settings.DEFAULTS);
            context.log().configure(new oi.config.LogTarget.File(log), false);
            ActiveRule rule = new ActiveRule(config.rules().getFirst(), config.globalAccess(),
                    (admission, client) -> new DyingSession(admission, client, backend.port()));
            TcpListener listener = TcpListener.bind(rule, context);
            listener.start();
            try (Socket client = new Socket("127.0.0.1", listener.localPort())) {
                client.setSoTimeout(10_000);
                assertThat(client.getInputStream().read()).as("the client's socket is closed").isEqualTo(-1);
            } finally {
                listener.close();
            }
            assertThat(backendSaw.get(10, TimeUnit.SECONDS)).as("the backend got the byte, then end of stream").isEqualTo(42);
            List<String> lines = LogLines.await(log, 1);
            assertThat(lines).hasSize(1);
            assertThat(lines.getFirst()).contains("internal-error");
            assertThat(context.live().awaitEmpty(Duration.ofSeconds(5))).isTrue();
            assertThat(context.connections().live()).as("the connection-limit slot is back").isZero();
            Thread.sleep(200);
            assertThat(Files.readAllLines(log)).as("exactly one line").hasSize(1);
            context.log().close();
        }
    }
}
