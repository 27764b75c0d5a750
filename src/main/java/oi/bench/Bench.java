package oi.bench;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import oi.config.ConfigParser;
import oi.runtime.Settings;
import oi.server.Forwarder;

/**
 * {@code oi bench}: the buffer-size and thread-model A/B in one process, needing only a JDK
 * (source → oi → sink for throughput, 32-byte round trips for latency), and the small load
 * tools the experiment harness drives ({@code echo-server}, {@code rr}, {@code connrate},
 * {@code idle}), so every forwarder is measured with the same client and backend.
 */
public final class Bench {

    /** The command line of every mode; each mode reads the flags it needs. */
    static final class Options {
        @Parameter(description = "[ab | echo-server | rr | connrate | idle]")
        List<String> mode = new ArrayList<>();

        @Parameter(names = "--buffer", description = "ab: pump buffer per direction, e.g. 8k, 16k, 64k")
        String buffer = "64k";

        @Parameter(names = "--threads", description = "ab: virtual or platform")
        String threads = "virtual";

        @Parameter(names = "--io", description = "ab: channel or stream")
        String io = "channel";

        @Parameter(names = "--seconds", description = "how long each measurement runs")
        double seconds = 3;

        @Parameter(names = "--target", description = "rr, connrate, idle: HOST:PORT to connect to")
        String target;

        @Parameter(names = "--port", description = "echo-server: port to listen on (0: any)")
        int port;

        @Parameter(names = "--size", description = "rr: request and response size in bytes")
        int size = 32;

        @Parameter(names = "--concurrency", description = "connrate: client threads")
        int concurrency = 4;

        @Parameter(names = "--connections", description = "idle: connections to hold open")
        int connections = 4000;

        @Parameter(names = {"-h", "--help"}, help = true, description = "Print this help")
        boolean help;
    }

    private Bench() {
    }

    /** Runs one mode; returns the process exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options = new Options();
        JCommander commander = JCommander.newBuilder().programName("oi bench").addObject(options).build();
        try {
            commander.parse(args);
        } catch (ParameterException e) {
            err.println("oi bench: " + e.getMessage());
            return 2;
        }
        if (options.help) {
            StringBuilder usage = new StringBuilder();
            commander.getUsageFormatter().usage(usage);
            out.print(usage);
            return 0;
        }
        String mode = options.mode.isEmpty() ? "ab" : options.mode.get(0);
        try {
            switch (mode) {
                case "ab" -> abTest(options, out);
                case "echo-server" -> echoServer(options, out);
                case "rr" -> out.println(Latency.measure(target(options), options.size, options.seconds).keyValues("rr"));
                case "connrate" -> out.printf(Locale.ROOT, "connections_per_second=%.0f%n",
                        ConnectionRate.measure(target(options), options.seconds, options.concurrency));
                case "idle" -> {
                    if (!holdIdle(options, out)) {
                        return 1;
                    }
                }
                default -> {
                    err.println("oi bench: unknown mode \"" + mode + "\" (ab, echo-server, rr, connrate, idle)");
                    return 2;
                }
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("oi bench: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("oi bench: " + mode + " failed: " + e);
            return 1;
        }
    }

    private static InetSocketAddress target(Options options) {
        if (options.target == null || options.target.lastIndexOf(':') < 1) {
            throw new IllegalArgumentException("--target HOST:PORT is needed");
        }
        int colon = options.target.lastIndexOf(':');
        return new InetSocketAddress(options.target.substring(0, colon).replace("[", "").replace("]", ""),
                Integer.parseInt(options.target.substring(colon + 1)));
    }

    private static void echoServer(Options options, PrintStream out) throws Exception {
        try (EchoServer echo = new EchoServer(new InetSocketAddress(options.port))) {
            out.println("port=" + echo.port());
            out.flush();
            Thread.currentThread().join(); // until killed
        }
    }

    /** Holds the connections for {@code --seconds}; false when not all of them could be opened. */
    private static boolean holdIdle(Options options, PrintStream out) throws Exception {
        try (IdleConnections.Held held = IdleConnections.open(target(options), options.connections)) {
            out.println("open=" + held.sockets().size()
                    + (held.failure() == null ? "" : " failed_at=" + (held.sockets().size() + 1) + " error=\"" + held.failure() + "\""));
            out.flush();
            Thread.sleep((long) (options.seconds * 1000));
            return held.failure() == null;
        }
    }

    /** source → oi → sink throughput and round trips, direct and through oi, all in this process. */
    private static void abTest(Options options, PrintStream out) throws Exception {
        Settings settings = oi.cli.Main.settings(options.buffer, options.threads, options.io);
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
                long bytes = push(throughOi, options.seconds, sunk);
                double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;
                double gbits = bytes * 8 / options.seconds / 1e9;
                Latency.Result direct = Latency.measure(new InetSocketAddress(loopback, echo.port()), 32, options.seconds);
                Latency.Result forwarded = Latency.measure(rrThroughOi, 32, options.seconds);
                out.printf(Locale.ROOT, "oi bench: --buffer %d --threads %s --io %s, %.1f s per measurement%n",
                        settings.bufferSize(), settings.threads(), settings.io(), options.seconds);
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
