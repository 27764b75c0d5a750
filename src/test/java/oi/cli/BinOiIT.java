package oi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import oi.testing.Streams;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real launcher, {@code bin/oi}, as a user runs it: a separate process, real signals, exit codes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BinOiIT {
    private static final Path BIN_OI = Path.of("bin/oi").toAbsolutePath();

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    private Process start(String rules, String... flags) throws IOException {
        Path conf = Files.writeString(dir.resolve("rules.conf"), rules);
        var command = new java.util.ArrayList<String>(java.util.List.of(BIN_OI.toString(), "-c", conf.toString()));
        command.addAll(java.util.List.of(flags));
        return new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile()).start();
    }

    /** Waits for oi's "listening on" line for the port, so no probe connection disturbs the test. */
    private void awaitListening(int port, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (stderr().contains("listening on 127.0.0.1:" + port + " ")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("oi did not listen on " + port + ": " + stderr());
    }

    private String stderr() throws IOException {
        return Files.readString(dir.resolve("stderr"));
    }

    @ParameterizedTest(name = "--buffer {0}")
    @ValueSource(strings = {"8k", "64k"})
    void sixtyFourMebibytesThroughBinOiArriveIntact(String buffer) throws Exception {
        long size = 64L * 1024 * 1024;
        CompletableFuture<Streams.Received> atBackend = new CompletableFuture<>();
        try (TcpServer backend = TcpServer.start(socket -> atBackend.complete(Streams.receive(socket.getInputStream())))) {
            int port = freePort();
            Process oi = start("127.0.0.1 " + port + " 127.0.0.1 " + backend.port() + "\n", "--buffer", buffer);
            try {
                awaitListening(port, oi);
                String sent;
                try (Socket client = new Socket("127.0.0.1", port)) {
                    sent = Streams.send(client.getOutputStream(), size, 7);
                    client.shutdownOutput();
                    assertThat(client.getInputStream().read()).isEqualTo(-1);
                }
                assertThat(atBackend.get(60, TimeUnit.SECONDS)).isEqualTo(new Streams.Received(sent, size));
            } finally {
                oi.destroy();
            }
            assertThat(oi.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(oi.exitValue()).as(stderr()).isZero();
        }
    }

    @Test
    void sigtermStopsPromptlyWithLiveConnectionsAndExitsZero() throws Exception {
        try (TcpServer backend = TcpServer.echo()) {
            int port = freePort();
            Process oi = start("127.0.0.1 " + port + " 127.0.0.1 " + backend.port() + "\n");
            awaitListening(port, oi);
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.getOutputStream().write(1);
                assertThat(client.getInputStream().read()).isEqualTo(1);
                long start = System.nanoTime();
                oi.destroy(); // SIGTERM
                assertThat(oi.waitFor(5, TimeUnit.SECONDS)).isTrue();
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4000);
                assertThat(oi.exitValue()).as(stderr()).isZero();
            }
        }
    }

    @Test
    void sighupReloadsTheRulesFile() throws Exception {
        try (TcpServer backend = TcpServer.echo()) {
            int first = freePort();
            int second = freePort();
            Process oi = start("127.0.0.1 " + first + " 127.0.0.1 " + backend.port() + "\n");
            try {
                awaitListening(first, oi);
                Files.writeString(dir.resolve("rules.conf"), "127.0.0.1 " + second + " 127.0.0.1 " + backend.port() + "\n");
                new ProcessBuilder("kill", "-HUP", Long.toString(oi.pid())).start().waitFor();
                awaitListening(second, oi);
                try (Socket client = new Socket("127.0.0.1", second)) {
                    client.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
                    client.shutdownOutput();
                    assertThat(client.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("hi");
                }
                assertThat(oi.isAlive()).isTrue();
            } finally {
                oi.destroy();
                oi.waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(stderr()).contains("reloaded");
        }
    }

    @Test
    void aBadRulesFileExitsTwoWithFileAndLineAndNoStackTrace() throws Exception {
        Process oi = start("127.0.0.1 80 127.0.0.1\n");
        assertThat(oi.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(oi.exitValue()).isEqualTo(2);
        assertThat(stderr()).isEqualTo("oi: " + dir.resolve("rules.conf")
                + ":1: a forwarding rule is \"bindaddress bindport connectaddress connectport [options]\", got \"127.0.0.1 80 127.0.0.1\"\n");
    }

    @Test
    void aBindFailureExitsNonzeroNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Process oi = start("127.0.0.1 " + taken.getLocalPort() + " 127.0.0.1 9\n");
            assertThat(oi.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(oi.exitValue()).isEqualTo(1);
            assertThat(stderr()).contains("cannot bind 127.0.0.1:" + taken.getLocalPort()).doesNotContain("Exception");
        }
    }

    @Test
    void worksFromAnyWorkingDirectory() throws Exception {
        Process version = new ProcessBuilder(BIN_OI.toString(), "--version").directory(Path.of("/").toFile())
                .redirectErrorStream(true).start();
        Future<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return version.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(version.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(out.get(), StandardCharsets.UTF_8)).startsWith("oi 0.");
    }
}
