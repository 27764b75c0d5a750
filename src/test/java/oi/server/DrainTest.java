package oi.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import oi.metrics.MetricsServer;
import oi.settings.Settings;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** While stop drains live connections, observers still get answers and the connections still carry data. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainTest {

    @TempDir
    Path dir;

    @Test
    void statusAnswersDuringADrainAndListsTheDrainingConnection() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n",
                     Settings.of("--drain", "8"));
             MetricsServer metrics = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), oi.forwarder());
             Socket client = oi.connect(0)) {
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            out.write(1);
            assertThat(in.read()).isEqualTo(1);

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(oi.forwarder()::stop);
            Thread.sleep(300); // well into the drain
            assertThat(stopping).isNotDone();

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            long start = System.nanoTime();
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metrics.port() + "/status")).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("\"connections\":[{\"id\":").contains("\"bytesIn\":1");
            HttpResponse<String> prometheus = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(prometheus.body()).contains("oi_connections_active{");

            out.write(2); // the draining connection still carries data both ways
            assertThat(in.read()).isEqualTo(2);
            assertThat(stopping).isNotDone();

            client.shutdownOutput(); // the client finishes: the drain ends early
            assertThat(in.read()).isEqualTo(-1);
            stopping.get(5, TimeUnit.SECONDS);
        }
    }
}
