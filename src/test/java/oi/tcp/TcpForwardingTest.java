package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import oi.settings.IoMode;
import oi.settings.NoDelay;
import oi.settings.Settings;
import oi.settings.ThreadModel;
import oi.testing.Fds;
import oi.testing.LogLines;
import oi.testing.OiProcess;
import oi.testing.RunningForwarder;
import oi.testing.Streams;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The TCP data path end to end: real backends, real sockets on loopback, checksums. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpForwardingTest {
    private static final long BIG = 64L * 1024 * 1024;

    @TempDir
    Path dir;

    /** The settings every test starts from, with {@code flags} on top; {@link SpliceIT} runs the same tests with {@code --io splice}. */
    Settings base(String... flags) {
        return Settings.of(flags);
    }

    private RunningForwarder forward(int backendPort, Settings settings, String extra) throws Exception {
        return RunningForwarder.start(dir, extra + "127.0.0.1 0 127.0.0.1 " + backendPort + "\n", settings);
    }

    private RunningForwarder forward(int backendPort) throws Exception {
        return forward(backendPort, base(), "");
    }

    @ParameterizedTest(name = "{0} threads")
    @EnumSource(ThreadModel.class)
    void echoRoundTripReturnsTheSameBytes(ThreadModel threads) throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = forward(backend.port(), base("--threads", threads.toString()), "");
             Socket client = oi.connect(0)) {
            client.getOutputStream().write("hello, oi\n".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello, oi\n");
        }
    }

    @ParameterizedTest(name = "--buffer {0} --threads {1} --io {2} --nodelay {3}")
    @CsvSource({"8192, VIRTUAL, CHANNEL, ALWAYS", "16384, VIRTUAL, CHANNEL, ALWAYS", "65536, VIRTUAL, CHANNEL, ALWAYS",
            "8192, PLATFORM, CHANNEL, ALWAYS", "65536, PLATFORM, CHANNEL, ALWAYS", "8192, VIRTUAL, STREAM, ALWAYS",
            "65536, VIRTUAL, STREAM, ALWAYS", "1024, VIRTUAL, CHANNEL, ALWAYS", "8192, VIRTUAL, CHANNEL, AUTO",
            "65536, PLATFORM, STREAM, AUTO"})
    void sixtyFourMebibytesBothWaysAtOnceArriveIntact(int buffer, ThreadModel threads, IoMode io, NoDelay noDelay) throws Exception {
        CompletableFuture<Streams.Received> atBackend = new CompletableFuture<>();
        CompletableFuture<String> sentByBackend = new CompletableFuture<>();
        TcpServer.Handler exchange = socket -> {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    sentByBackend.complete(Streams.send(socket.getOutputStream(), BIG, 2));
                    socket.shutdownOutput();
                } catch (IOException e) {
                    sentByBackend.completeExceptionally(e);
                }
            });
            atBackend.complete(Streams.receive(socket.getInputStream()));
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (TcpServer backend = TcpServer.start(exchange);
             RunningForwarder oi = forward(backend.port(), base("--buffer", Integer.toString(buffer), "--threads", threads.toString(),
                     "--io", io.toString(), "--nodelay", noDelay.toString()), "");
             Socket client = oi.connect(0)) {
            Future<String> sentByClient = CompletableFuture.supplyAsync(() -> {
                try {
                    String sha = Streams.send(client.getOutputStream(), BIG, 1);
                    client.shutdownOutput();
                    return sha;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Streams.Received atClient = Streams.receive(client.getInputStream());

            assertThat(atBackend.get(60, TimeUnit.SECONDS).bytes()).isEqualTo(BIG);
            assertThat(atBackend.get().sha256()).isEqualTo(sentByClient.get(60, TimeUnit.SECONDS));
            assertThat(atClient.bytes()).isEqualTo(BIG);
            assertThat(atClient.sha256()).isEqualTo(sentByBackend.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void halfCloseLetsTheBackendReplyAfterTheClientFinishedSending() throws Exception {
        TcpServer.Handler countThenReply = socket -> {
            long n = Streams.receive(socket.getInputStream()).bytes();
            socket.getOutputStream().write(("got " + n + "\n").getBytes(StandardCharsets.US_ASCII));
        };
        try (TcpServer backend = TcpServer.start(countThenReply);
             RunningForwarder oi = forward(backend.port());
             Socket client = oi.connect(0)) {
            client.getOutputStream().write(new byte[100_000]);
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("got 100000\n");
        }
    }

    @Test
    void backendClosingFirstEndsTheClientCleanlyAndIsLoggedAsLocalClosed() throws Exception {
        Path log = dir.resolve("conn.log");
        try (TcpServer backend = TcpServer.start(socket -> socket.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII)));
             RunningForwarder oi = forward(backend.port(), base(), "logfile " + log + "\n");
             Socket client = oi.connect(0)) {
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye\n");
            client.close();
            assertThat(LogLines.await(log, 1).get(0)).contains("\t0\t4\tdone-local-closed\t");
        }
    }

    @Test
    void aBackendResetReachesTheClientAsAReset() throws Exception {
        TcpServer.Handler resetAfterGreeting = socket -> {
            socket.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().read();
            socket.setSoLinger(true, 0);
        };
        try (TcpServer backend = TcpServer.start(resetAfterGreeting);
             RunningForwarder oi = forward(backend.port());
             Socket client = oi.connect(0)) {
            InputStream in = client.getInputStream();
            assertThat(in.read()).isEqualTo('x');
            client.getOutputStream().write('y');
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                while (in.read() >= 0) {
                    // drain until the reset arrives
                }
            }).isInstanceOf(SocketException.class);
        }
    }

    @Test
    void refusedBackendClosesTheClientPromptlyAndLeaksNothing() throws Exception {
        int closedPort = OiProcess.freePort(); // nobody listens: connects are refused
        Path log = dir.resolve("conn.log");
        try (RunningForwarder oi = forward(closedPort, base(), "logfile " + log + "\n")) {
            refusedRoundTrip(oi);
            long baseline = Fds.count();
            for (int i = 0; i < 50; i++) {
                refusedRoundTrip(oi);
            }
            assertThat(LogLines.await(log, 51)).allMatch(line -> line.contains("local-connect-failed -"));
            assertThat(Fds.awaitAtMost(baseline, Duration.ofSeconds(5))).isLessThanOrEqualTo(baseline);
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(5))).isTrue();
        }
    }

    private static void refusedRoundTrip(RunningForwarder oi) throws IOException {
        long start = System.nanoTime();
        try (Socket client = oi.connect(0)) {
            client.setSoTimeout(5000);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void sixtyFourConcurrentConnectionsEachGetTheirOwnBytesBack() throws Exception {
        try (TcpServer backend = TcpServer.echo(); RunningForwarder oi = forward(backend.port())) {
            List<CompletableFuture<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                long seed = i;
                results.add(CompletableFuture.supplyAsync(() -> {
                    try (Socket client = oi.connect(0)) {
                        Future<String> sent = CompletableFuture.supplyAsync(() -> {
                            try {
                                String sha = Streams.send(client.getOutputStream(), 1 << 20, seed);
                                client.shutdownOutput();
                                return sha;
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        });
                        Streams.Received back = Streams.receive(client.getInputStream());
                        return back.bytes() == 1 << 20 && back.sha256().equals(sent.get());
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, r -> Thread.ofVirtual().start(r)));
            }
            for (CompletableFuture<Boolean> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void aThousandClientAbortsLeaveNoDescriptorBehind() throws Exception {
        try (TcpServer backend = TcpServer.echo(); RunningForwarder oi = forward(backend.port())) {
            abortOnce(oi); // warm up: pollers and caches open their descriptors once
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(5))).isTrue();
            long baseline = Fds.count() - 2L * Splice.idlePipes(); // pooled pipes are kept on purpose
            for (int i = 0; i < 1000; i++) {
                abortOnce(oi);
            }
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(20))).isTrue();
            long allowed = baseline + 2L * Splice.idlePipes();
            assertThat(Fds.awaitAtMost(allowed, Duration.ofSeconds(10))).isLessThanOrEqualTo(allowed);
        }
    }

    private static void abortOnce(RunningForwarder oi) throws IOException {
        Socket client = oi.connect(0);
        OutputStream out = client.getOutputStream();
        out.write(new byte[1000]);
        client.getInputStream().read(); // the echo proves the backend leg is up
        client.setSoLinger(true, 0);
        client.close();
    }

    @Test
    void stopEndsLiveConnectionsPromptly() throws Exception {
        try (TcpServer backend = TcpServer.echo()) {
            RunningForwarder oi = forward(backend.port());
            Socket client = oi.connect(0);
            client.getOutputStream().write(1);
            assertThat(client.getInputStream().read()).isEqualTo(1);
            long start = System.nanoTime();
            oi.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
            assertThat(oi.forwarder().live().count()).isZero();
            client.close();
        }
    }

}
