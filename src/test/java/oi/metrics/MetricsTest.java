package oi.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import oi.settings.Settings;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** /metrics and /status scraped over real HTTP, and the Flight Recorder events, against traffic we sent. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsTest {

    @TempDir
    Path dir;

    private static String get(MetricsServer metrics, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static void roundTrip(RunningForwarder oi, int rule, int bytes) throws Exception {
        try (Socket client = oi.connect(rule)) {
            client.getOutputStream().write(new byte[bytes]);
            client.shutdownOutput();
            client.getInputStream().readAllBytes();
        } catch (java.net.SocketException e) {
            // a refused client may see a reset: oi closed it with our bytes unread
        }
    }

    @Test
    void scrapedCountersMatchTheTrafficSent() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n"
                     + "127.0.0.1 0 127.0.0.1 " + backend.port() + "\ndeny 127.0.0.1\n", Settings.DEFAULTS);
             MetricsServer metrics = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), oi.forwarder())) {
            for (int i = 0; i < 3; i++) {
                roundTrip(oi, 0, 1000);
            }
            roundTrip(oi, 1, 10);
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(5))).isTrue();

            String labels = "{rule=\"127.0.0.1:" + oi.port(0) + "\",backend=\"127.0.0.1:" + backend.port() + "\"";
            String denied = "{rule=\"127.0.0.1:" + oi.port(1) + "\",backend=\"127.0.0.1:" + backend.port() + "\"";
            String text = get(metrics, "/metrics");
            assertThat(text)
                    .contains("# TYPE oi_connections_total counter")
                    .contains("oi_connections_total" + labels + "} 3\n")
                    .contains("oi_received_bytes_total" + labels + "} 3000\n")
                    .contains("oi_sent_bytes_total" + labels + "} 3000\n")
                    .contains("oi_connections_active" + labels + "} 0\n")
                    .contains("oi_refused_total" + labels + ",reason=\"denied\"} 0\n")
                    .contains("oi_refused_total" + denied + ",reason=\"denied\"} 1\n")
                    .contains("oi_backend_connect_seconds_count" + labels + "} 3\n")
                    .contains("oi_connection_duration_seconds_bucket" + labels + ",le=\"+Inf\"} 3\n");
            assertThat(Exposition.summary(oi.forwarder())).contains("total 3, in 3000 B, out 3000 B", "denied 1");
        }
    }

    @Test
    void statusListsLiveConnectionsWithTheirPeersAndBytes() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n", Settings.DEFAULTS);
             MetricsServer metrics = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), oi.forwarder());
             Socket client = oi.connect(0)) {
            client.getOutputStream().write(new byte[42]);
            client.getInputStream().readNBytes(42);
            String status = get(metrics, "/status");
            assertThat(status).startsWith("{\"rules\":[{\"bind\":\"127.0.0.1:" + oi.port(0) + "\",\"port\":" + oi.port(0))
                    .contains("\"connections\":[{\"id\":")
                    .contains("\"client\":\"127.0.0.1:" + client.getLocalPort() + "\"")
                    .contains("\"bytesIn\":42,\"bytesOut\":42}");
        }
    }

    @Test
    void flightRecorderShowsEachConnection() throws Exception {
        Path file = dir.resolve("oi.jfr");
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n", Settings.DEFAULTS);
             Recording recording = new Recording()) {
            recording.enable("oi.Connection");
            recording.enable("oi.ConnectionOpened");
            recording.start();
            roundTrip(oi, 0, 123);
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(5))).isTrue();
            recording.stop();
            recording.dump(file);
        }
        var events = RecordingFile.readAllEvents(file);
        assertThat(events).extracting(e -> e.getEventType().getName()).contains("oi.Connection", "oi.ConnectionOpened");
        RecordedEvent connection = events.stream().filter(e -> e.getEventType().getName().equals("oi.Connection")).findFirst()
                .orElseThrow();
        assertThat(connection.getLong("bytesIn")).isEqualTo(123);
        assertThat(connection.getString("outcome")).isEqualTo("done-remote-closed");
    }
}
