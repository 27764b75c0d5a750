package oi.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A backend's host name looked up for a new connection, off the thread that carries it: the C
 * library's resolver blocks the platform thread under a virtual one for as long as the name
 * server takes, and oi's poller scheduler, unlike the JDK's, gets no spare carrier meanwhile. So a
 * lookup runs on a small pool of platform threads of its own while the connection's thread waits
 * unmounted, and an answer is kept for {@code --dns-ttl}, so that only the first connection after
 * it expires pays the hand-off. This is oi's one cache of backend names: Main turns the JDK's off.
 */
public final class Lookups {
    /** Lookups that may wait on a name server at once; more queue for one of these threads. */
    private static final int THREADS = 16;
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), task -> {
                Thread thread = new Thread(task, "oi-lookup");
                thread.setDaemon(true);
                return thread;
            });
    private static final Map<String, Answer> ANSWERS = new ConcurrentHashMap<>();
    private static volatile long trustNanos = TimeUnit.SECONDS.toNanos(30); // --dns-ttl's default

    static {
        POOL.allowCoreThreadTimeOut(true); // an idle forwarder keeps no lookup threads
    }

    private record Answer(InetAddress address, long expiresNanos) {
    }

    private Lookups() {
    }

    /** Keeps each answer for {@code ttl} ({@code --dns-ttl}); zero looks a name up for every connection. */
    public static void trustFor(Duration ttl) {
        trustNanos = ttl.toNanos();
        ANSWERS.clear();
    }

    /** Drops every answer, so that the next connection to each name looks it up again (a reload, SIGHUP). */
    public static void forget() {
        ANSWERS.clear();
    }

    /** The address of {@code host}, as {@link InetAddress#getByName} gives it, looked up at most once per TTL. */
    static InetAddress address(String host) throws UnknownHostException {
        long now = System.nanoTime();
        Answer known = ANSWERS.get(host);
        if (known != null && now - known.expiresNanos() < 0) {
            return known.address();
        }
        InetAddress address = Thread.currentThread().isVirtual() ? offCarrier(host) : InetAddress.getByName(host);
        long ttl = trustNanos;
        if (ttl > 0) {
            ANSWERS.put(host, new Answer(address, now + ttl));
        }
        return address;
    }

    private static InetAddress offCarrier(String host) throws UnknownHostException {
        Future<InetAddress> lookup = POOL.submit(() -> InetAddress.getByName(host));
        try {
            return lookup.get(); // parks: the carrier runs other threads meanwhile
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException unknown) {
                throw unknown;
            }
            throw new UnknownHostException(host + ": " + e.getCause());
        } catch (InterruptedException e) {
            lookup.cancel(true);
            Thread.currentThread().interrupt();
            throw new UnknownHostException(host + ": interrupted while looked up");
        }
    }
}
