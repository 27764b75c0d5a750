package oi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import oi.testing.OiProcess;
import oi.testing.Streams;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real launcher, {@code bin/oi}, as a user runs it: a separate process, real signals, exit codes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BinOiIT {

    @TempDir
    Path dir;

    private String rule(int port, int backendPort) {
        return "127.0.0.1 " + port + " 127.0.0.1 " + backendPort + "\n";
    }

    @ParameterizedTest(name = "--buffer {0} --io {1}")
    @CsvSource({"8k, channel", "64k, channel", "64k, splice"})
    void sixtyFourMebibytesThroughBinOiArriveIntact(String buffer, String io) throws Exception {
        long size = 64L * 1024 * 1024;
        CompletableFuture<Streams.Received> atBackend = new CompletableFuture<>();
        int port = OiProcess.freePort();
        try (TcpServer backend = TcpServer.start(socket -> atBackend.complete(Streams.receive(socket.getInputStream())));
             OiProcess oi = OiProcess.start(dir, rule(port, backend.port()), "--buffer", buffer, "--io", io).awaitListening(port)) {
            String sent = Streams.sendThrough(port, size, 7);
            assertThat(atBackend.get(60, TimeUnit.SECONDS)).isEqualTo(new Streams.Received(sent, size));
            assertThat(oi.stop()).as(oi.stderr()).isZero();
            assertThat(oi.stderr()).as("the jar's manifest opens and enables what splice needs").doesNotContain("WARNING");
        }
    }

    @Test
    void sigtermStopsPromptlyWithLiveConnectionsAndExitsZero() throws Exception {
        int port = OiProcess.freePort();
        try (TcpServer backend = TcpServer.echo();
             OiProcess oi = OiProcess.start(dir, rule(port, backend.port())).awaitListening(port);
             Socket client = new Socket("127.0.0.1", port)) {
            client.getOutputStream().write(1);
            assertThat(client.getInputStream().read()).isEqualTo(1);
            long start = System.nanoTime();
            assertThat(oi.stop()).as(oi.stderr()).isZero();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4000);
        }
    }

    @Test
    void sighupReloadsTheRulesFile() throws Exception {
        int first = OiProcess.freePort();
        int second = OiProcess.freePort();
        try (TcpServer backend = TcpServer.echo();
             OiProcess oi = OiProcess.start(dir, rule(first, backend.port())).awaitListening(first)) {
            Files.writeString(dir.resolve("rules.conf"), rule(second, backend.port()));
            new ProcessBuilder("kill", "-HUP", Long.toString(oi.process().pid())).start().waitFor();
            oi.awaitListening(second);
            try (Socket client = new Socket("127.0.0.1", second)) {
                client.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(client.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("hi");
            }
            assertThat(oi.process().isAlive()).isTrue();
            assertThat(oi.stderr()).contains("reloaded");
        }
    }

    @Test
    void aBadRulesFileExitsTwoWithFileAndLineAndNoStackTrace() throws Exception {
        try (OiProcess oi = OiProcess.start(dir, "127.0.0.1 80 127.0.0.1\n")) {
            assertThat(oi.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(oi.process().exitValue()).isEqualTo(2);
            assertThat(oi.stderr()).isEqualTo("oi: " + dir.resolve("rules.conf")
                    + ":1: a forwarding rule is \"bindaddress bindport connectaddress connectport [options]\", got \"127.0.0.1 80 127.0.0.1\"\n");
        }
    }

    @Test
    void aBindFailureExitsNonzeroNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0);
             OiProcess oi = OiProcess.start(dir, "127.0.0.1 " + taken.getLocalPort() + " 127.0.0.1 9\n")) {
            assertThat(oi.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(oi.process().exitValue()).isEqualTo(1);
            assertThat(oi.stderr()).contains("cannot bind 127.0.0.1:" + taken.getLocalPort()).doesNotContain("Exception");
        }
    }

    @Test
    void worksFromAnyWorkingDirectory() throws Exception {
        Process version = new ProcessBuilder(OiProcess.BIN_OI.toString(), "--version").directory(Path.of("/").toFile())
                .redirectErrorStream(true).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
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
