package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oi.testing.OiProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A backend host name whose address changes between two connections is followed without a restart. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DnsFollowIT {

    @TempDir
    Path dir;

    /** Accepts one connection and answers with its own name. */
    private static Thread answerOnce(ServerSocket server, String name) {
        return Thread.ofVirtual().start(() -> {
            try (Socket socket = server.accept()) {
                socket.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
            } catch (Exception e) {
                // the test fails on the client side
            }
        });
    }

    private static String ask(int port) throws Exception {
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(10_000);
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aBackendThatMovesIsFollowedAfterTheTtl() throws Exception {
        try (ServerSocket first = new ServerSocket()) {
            first.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            try (ServerSocket second = new ServerSocket()) {
                second.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), first.getLocalPort()));
                Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 backend.oi.test\n");
                int port = OiProcess.freePort();
                answerOnce(first, "first");
                answerOnce(second, "second");
                try (OiProcess oi = OiProcess.start(dir, "127.0.0.1 " + port + " backend.oi.test " + first.getLocalPort() + "\n",
                        List.of("env", "OI_JAVA_OPTS=-Djdk.net.hosts.file=" + hosts), "--dns-ttl", "1").awaitListening(port)) {
                    assertThat(ask(port)).isEqualTo("first");
                    Files.writeString(hosts, "127.0.0.2 backend.oi.test\n");
                    Thread.sleep(1500); // past the TTL
                    assertThat(ask(port)).as(oi.stderr()).isEqualTo("second");
                }
            }
        }
    }
}
