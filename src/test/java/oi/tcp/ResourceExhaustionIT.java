package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import oi.testing.OiProcess;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** bin/oi under resource pressure: out of descriptors, and a backend that reads 1 KiB/s. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResourceExhaustionIT {

    @TempDir
    Path dir;

    private static boolean echoes(Socket client) {
        try {
            client.setSoTimeout(3000);
            client.getOutputStream().write(5);
            return client.getInputStream().read() == 5;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void outOfDescriptorsOiStaysCoolAndRecoversWhenClientsLeave() throws Exception {
        int port = OiProcess.freePort();
        try (TcpServer backend = TcpServer.echo();
             OiProcess oi = OiProcess.start(dir, "127.0.0.1 " + port + " 127.0.0.1 " + backend.port() + "\n",
                     List.of("prlimit", "--nofile=160:160")).awaitListening(port)) {
            List<Socket> clients = new ArrayList<>();
            int served = 0;
            for (int i = 0; i < 120; i++) { // each served client costs oi two descriptors: far past the limit
                Socket client = new Socket("127.0.0.1", port);
                clients.add(client);
                if (echoes(client)) {
                    served++;
                }
            }
            assertThat(served).as("clients served before descriptors ran out").isGreaterThan(10).isLessThan(120);
            double cpuBefore = oi.cpuSeconds();
            Thread.sleep(2000);
            assertThat(oi.cpuSeconds() - cpuBefore).as("CPU seconds in 2 s while out of descriptors").isLessThan(0.5);
            assertThat(oi.process().isAlive()).isTrue();

            for (Socket client : clients) {
                client.close();
            }
            boolean resumed = false;
            for (int attempt = 0; attempt < 5 && !resumed; attempt++) { // queued clients that left are drained first
                try (Socket again = new Socket("127.0.0.1", port)) {
                    resumed = echoes(again);
                }
            }
            String said = oi.stderr();
            assertThat(resumed).as("service resumes by itself; oi said:\n%s", said.substring(Math.max(0, said.length() - 3000)))
                    .isTrue();
            assertThat(said).contains("Too many open files");
            assertThat(said.lines().filter(line -> line.contains("accept on")).count())
                    .as("accept failures are logged once per burst, not once per failure").isLessThan(10);
        }
    }

    @Test
    void aSlowReaderBackendBoundsOisMemoryThroughBackpressure() throws Exception {
        int port = OiProcess.freePort();
        TcpServer.Handler slowReader = socket -> {
            InputStream in = socket.getInputStream();
            byte[] kib = new byte[1024];
            while (in.readNBytes(kib, 0, kib.length) > 0) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        };
        try (TcpServer backend = TcpServer.start(slowReader);
             OiProcess oi = OiProcess.start(dir, "127.0.0.1 " + port + " 127.0.0.1 " + backend.port() + "\n").awaitListening(port)) {
            long rssBefore = oi.rssKiB();
            AtomicLong pushed = new AtomicLong();
            Socket client = new Socket("127.0.0.1", port);
            Thread pusher = Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = client.getOutputStream();
                    while (pushed.get() < 256L << 20) {
                        out.write(chunk);
                        pushed.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            long peakRss = 0;
            for (int i = 0; i < 10; i++) {
                Thread.sleep(500);
                peakRss = Math.max(peakRss, oi.rssKiB());
            }
            // The client could push 256 MiB in well under a second; backpressure stops it at the socket buffers.
            assertThat(pushed.get()).as("bytes the client got rid of").isLessThan(64L << 20);
            assertThat(peakRss - rssBefore).as("oi's RSS growth in KiB").isLessThan(64 * 1024);
            System.out.printf("slow reader: client pushed %d KiB, oi RSS %d -> peak %d KiB%n", pushed.get() >> 10, rssBefore,
                    peakRss);
            client.close();
            pusher.join(5000);
        }
    }
}
