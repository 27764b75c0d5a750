package oi.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import oi.config.ConfigParser;
import oi.server.Forwarder;
import oi.settings.Settings;

/**
 * The modes of {@code oi bench}: the buffer-size and thread-model A/B in one process, needing
 * only a JDK (source → oi → sink for throughput, 32-byte round trips for latency), and the small
 * load tools the experiment harness drives ({@code echo-server}, {@code rr}, {@code connrate},
 * {@code idle}), so every forwarder is measured with the same client and backend. Each prints
 * the {@code key=value} lines the harness reads; the command line is {@code oi.cli}'s.
 */
public final class Bench {

    private Bench() {
    }

    /** {@code rr}: 32-byte (or {@code size}-byte) round trips against {@code target} for {@code seconds}. */
    public static void roundTrips(InetSocketAddress target, int size, double seconds, PrintStream out) throws IOException {
        out.println(Latency.measure(target, size, seconds).keyValues("rr"));
    }

    /** {@code connrate}: new connections per second against {@code target} from {@code concurrency} threads. */
    public static void connectionRate(InetSocketAddress target, double seconds, int concurrency, PrintStream out)
            throws InterruptedException {
        out.printf(Locale.ROOT, "connections_per_second=%.0f%n", ConnectionRate.measure(target, seconds, concurrency));
    }

    /** {@code echo-server}: echoes on {@code port} (0: any, printed as {@code port=N}) until the process is killed. */
    public static void echoServer(int port, PrintStream out) throws IOException, InterruptedException {
        try (EchoServer echo = new EchoServer(new InetSocketAddress(port))) {
            out.println("port=" + echo.port());
            out.flush();
            Thread.currentThread().join(); // until killed
        }
    }

    /** {@code idle}: holds {@code connections} open to {@code target} for {@code seconds}; false when not all of them opened. */
    public static boolean holdIdle(InetSocketAddress target, int connections, double seconds, PrintStream out)
            throws IOException, InterruptedException {
        try (IdleConnections.Held held = IdleConnections.open(target, connections)) {
            out.println("open=" + held.sockets().size()
                    + (held.failure() == null ? "" : " failed_at=" + (held.sockets().size() + 1) + " error=\"" + held.failure() + "\""));
            out.flush();
            Thread.sleep((long) (seconds * 1000));
            return held.failure() == null;
        }
    }

    /** {@code ab}: source → oi → sink throughput and round trips, direct and through an oi with these settings, all in this process. */
    public static void ab(Settings settings, double seconds, PrintStream out) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        AtomicLong sunk = new AtomicLong();
        try (ServerSocket sink = new ServerSocket(0, 50, loopback);
             EchoServer echo = new EchoServer(new InetSocketAddress(loopback, 0))) {
            Thread.ofPlatform().daemon(true).start(() -> drain(sink, sunk));
            Path rules = Files.createTempFile("oi-bench", ".conf");
            Files.writeString(rules, "127.0.0.1 0 127.0.0.1 " + sink.getLocalPort() + "\n127.0.0.1 0 127.0.0.1 " + echo.port() + "\n");
            ConfigParser parser = new ConfigParser();
            Forwarder forwarder = new Forwarder(settings, parser);
            try {
                forwarder.start(parser.parse(rules));
                InetSocketAddress throughOi = new InetSocketAddress(loopback, forwarder.listeners().get(0).localPort());
                InetSocketAddress rrThroughOi = new InetSocketAddress(loopback, forwarder.listeners().get(1).localPort());
                push(throughOi, 0.5, sunk); // warm-up: JIT
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpuBefore = os.getProcessCpuTime();
                long bytes = push(throughOi, seconds, sunk);
                double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;
                double gbits = bytes * 8 / seconds / 1e9;
                Latency.Result direct = Latency.measure(new InetSocketAddress(loopback, echo.port()), 32, seconds);
                Latency.Result forwarded = Latency.measure(rrThroughOi, 32, seconds);
                out.printf(Locale.ROOT, "oi bench: --buffer %d --threads %s --io %s, %.1f s per measurement%n",
                        settings.bufferSize(), settings.threads(), settings.io(), seconds);
                out.printf(Locale.ROOT, "throughput   %8.2f Gbit/s  (source -> oi -> sink, one stream)%n", gbits);
                out.printf(Locale.ROOT, "cpu          %8.2f CPU-s/GB (the whole process: source, oi and sink)%n",
                        cpuSeconds / (bytes / 1e9));
                out.printf(Locale.ROOT, "round trip   %8.1f us mean, p50 %.1f, p99 %.1f, p99.9 %.1f (32 bytes, through oi)%n",
                        forwarded.mean(), forwarded.p50(), forwarded.p99(), forwarded.p999());
                out.printf(Locale.ROOT, "direct       %8.1f us mean, p50 %.1f, p99 %.1f, p99.9 %.1f (32 bytes, no forwarder)%n",
                        direct.mean(), direct.p50(), direct.p99(), direct.p999());
                out.printf(Locale.ROOT, "added        %8.1f us mean, p99 %.1f%n", forwarded.mean() - direct.mean(),
                        forwarded.p99() - direct.p99());
                out.printf(Locale.ROOT, "ab_gbits=%.3f ab_cpu_s_per_gb=%.3f %s %s%n", gbits, cpuSeconds / (bytes / 1e9),
                        forwarded.keyValues("oi"), direct.keyValues("direct"));
            } finally {
                forwarder.stop();
                Files.deleteIfExists(rules);
            }
        }
    }

    /** Writes as fast as possible for {@code seconds}; returns the bytes the sink received meanwhile. */
    private static long push(InetSocketAddress target, double seconds, AtomicLong sunk) throws IOException {
        long before = sunk.get();
        try (Socket socket = new Socket()) {
            socket.connect(target, 5000);
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[256 * 1024];
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                out.write(chunk);
            }
        }
        return sunk.get() - before;
    }

    private static void drain(ServerSocket sink, AtomicLong sunk) {
        while (!sink.isClosed()) {
            try (Socket socket = sink.accept(); InputStream in = socket.getInputStream()) {
                byte[] buffer = new byte[256 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    sunk.addAndGet(n);
                }
            } catch (IOException e) {
                // next connection
            }
        }
    }
}
