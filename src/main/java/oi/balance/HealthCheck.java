package oi.balance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;

/**
 * The active probe of one backend ({@code check=N}): a TCP connect every N seconds on a virtual
 * thread of its own. The first probe comes at a random point of the first period and each later
 * one within ±10 % of N, so the probes of many rules do not fire together; while a backend down
 * is coming back, the second probe comes after one second, not after N.
 */
final class HealthCheck {
    private static final long RECOVERY_PROBE_MILLIS = 1_000;

    private final BackendState backend;
    private final Supplier<ForwardRule> rule;
    private final Duration timeout;
    private volatile boolean stopped;
    private Thread thread;

    private HealthCheck(BackendState backend, Supplier<ForwardRule> rule, Duration timeout) {
        this.backend = backend;
        this.rule = rule;
        this.timeout = timeout;
    }

    /** Starts probing {@code backend} with the options of the rule as it is at each probe (a reload may change them). */
    static HealthCheck start(BackendState backend, Supplier<ForwardRule> rule, Duration timeout) {
        HealthCheck check = new HealthCheck(backend, rule, timeout);
        check.thread = Thread.ofVirtual().name("oi-check " + backend.endpoint()).start(check::run);
        return check;
    }

    /** Ends the probing; a probe under way is cut short. */
    void stop() {
        stopped = true;
        thread.interrupt();
    }

    private void run() {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(periodMillis()) + 1);
            while (!stopped) {
                String failure = probe();
                if (stopped) {
                    return;
                }
                backend.probed(failure == null, rule.get().options().health(), failure);
                long period = periodMillis();
                Thread.sleep(backend.recovering() ? Math.min(period, RECOVERY_PROBE_MILLIS)
                                                  : period * (90 + ThreadLocalRandom.current().nextLong(21)) / 100);
            }
        } catch (InterruptedException e) {
            // stopped
        }
    }

    private long periodMillis() {
        return TimeUnit.SECONDS.toMillis(Math.max(1, rule.get().options().health().checkSeconds()));
    }

    /** One connect to the backend, closed at once: null when it answered, else why not. */
    private String probe() {
        try {
            SocketAddress address = backend.endpoint().currentAddress();
            try (SocketChannel channel = SocketChannel.open(Endpoint.familyOf(address))) {
                InetAddress source = rule.get().options().source();
                if (address instanceof InetSocketAddress) {
                    if (source != null) {
                        channel.bind(new InetSocketAddress(source, 0));
                    }
                    channel.socket().connect(address, (int) Math.min(timeout.toMillis(), periodMillis()));
                } else {
                    channel.connect(address); // a local socket file: never slow
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
    }
}
