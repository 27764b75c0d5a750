package oi.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;

/**
 * 32-byte request/response round trips on one TCP connection, netperf TCP_RR style: the
 * latency a forwarder adds is the difference between a run through it and a direct one.
 */
public final class Latency {

    /** Round-trip statistics in microseconds. */
    public record Result(long roundTrips, double mean, double p50, double p99, double p999) {
        /** The figures as {@code key=value} words, for scripts. */
        public String keyValues(String prefix) {
            return String.format(Locale.ROOT, "%1$s_round_trips=%2$d %1$s_mean_us=%3$.2f %1$s_p50_us=%4$.2f %1$s_p99_us=%5$.2f"
                    + " %1$s_p999_us=%6$.2f", prefix, roundTrips, mean, p50, p99, p999);
        }
    }

    private Latency() {
    }

    /** Runs round trips of {@code size} bytes for {@code seconds} after a short warm-up. */
    public static Result measure(InetSocketAddress target, int size, double seconds) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(target, 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] request = new byte[size];
            byte[] response = new byte[size];
            long warmUpEnd = System.nanoTime() + 500_000_000L; // JIT and caches first
            while (System.nanoTime() < warmUpEnd) {
                roundTrip(out, in, request, response);
            }
            long[] samples = new long[1 << 16];
            int count = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long now = System.nanoTime();
            while (now < end) {
                roundTrip(out, in, request, response);
                long after = System.nanoTime();
                if (count == samples.length) {
                    samples = Arrays.copyOf(samples, count * 2);
                }
                samples[count++] = after - now;
                now = after;
            }
            return summarize(Arrays.copyOf(samples, count));
        }
    }

    private static void roundTrip(OutputStream out, InputStream in, byte[] request, byte[] response) throws IOException {
        out.write(request);
        if (in.readNBytes(response, 0, response.length) != response.length) {
            throw new IOException("the echo closed the connection");
        }
    }

    static Result summarize(long[] nanos) {
        if (nanos.length == 0) {
            return new Result(0, 0, 0, 0, 0);
        }
        Arrays.sort(nanos);
        double sum = 0;
        for (long sample : nanos) {
            sum += sample;
        }
        return new Result(nanos.length, sum / nanos.length / 1e3, percentile(nanos, 0.50), percentile(nanos, 0.99),
                percentile(nanos, 0.999));
    }

    private static double percentile(long[] sorted, double fraction) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(fraction * sorted.length) - 1)] / 1e3;
    }
}
