package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oi.testing.LogLines;
import oi.testing.OiProcess;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A backend that never answers the handshake is given up after --connect-timeout, and the client is closed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectTimeoutIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "--poller {0}")
    @ValueSource(strings = {"jdk", "oi"}) // the connect waits on the JDK's write poller, or on oi's own
    void aBackendThatNeverAnswersIsGivenUpAfterTheConnectTimeout(String poller) throws Exception {
        List<Socket> queued = new ArrayList<>();
        // A backlog of one that is never accepted: once its queue is full the kernel drops further SYNs.
        try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 4; i++) {
                Socket filler = new Socket();
                try {
                    filler.connect(new InetSocketAddress("127.0.0.1", silent.getLocalPort()), 300);
                    queued.add(filler);
                } catch (IOException e) {
                    filler.close(); // the queue is full: from here on connects hang, as the test needs
                    break;
                }
            }
            int port = OiProcess.freePort();
            Path log = dir.resolve("oi.log");
            try (OiProcess oi = OiProcess.start(dir, "logfile " + log + "\n127.0.0.1 " + port + " 127.0.0.1 "
                    + silent.getLocalPort() + "\n", "--connect-timeout", "1", "--poller", poller).awaitListening(port);
                 Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout(10_000);
                long start = System.nanoTime();
                int first;
                try {
                    first = client.getInputStream().read();
                } catch (IOException e) {
                    first = -1; // a reset is a close too
                }
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(first).isEqualTo(-1);
                assertThat(waited).as("ms until the client was closed").isBetween(700L, 5000L);
                assertThat(LogLines.await(log, 1).getFirst()).contains("local-connect-failed");
                assertThat(oi.stderr()).contains("no answer within 1 s");
            }
        } finally {
            for (Socket filler : queued) {
                filler.close();
            }
        }
    }
}
