package oi.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Security;
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
 * unmounted, and an answer is kept for {@code --dns-ttl} (the JDK's {@code networkaddress.cache.ttl},
 * which Main sets) so that only the first connection after it expires pays the hand-off.
 */
final class Lookups {
    /** Lookups that may wait on a name server at once; more queue for one of these threads. */
    private static final int THREADS = 16;
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), task -> {
                Thread thread = new Thread(task, "oi-lookup");
                thread.setDaemon(true);
                return thread;
            });
    private static final Map<String, Answer> ANSWERS = new ConcurrentHashMap<>();

    static {
        POOL.allowCoreThreadTimeOut(true); // an idle forwarder keeps no lookup threads
    }

    private record Answer(InetAddress address, long expiresNanos) {
    }

    private Lookups() {
    }

    /** The address of {@code host}, as {@link InetAddress#getByName} gives it, looked up at most once per TTL. */
    static InetAddress address(String host) throws UnknownHostException {
        long now = System.nanoTime();
        Answer known = ANSWERS.get(host);
        if (known != null && now - known.expiresNanos() < 0) {
            return known.address();
        }
        InetAddress address = Thread.currentThread().isVirtual() ? offCarrier(host) : InetAddress.getByName(host);
        long ttl = ttlNanos();
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

    /** The JDK's positive cache time, in which an answer is trusted: 30 s when unset, as the JDK's own default; -1 is for ever. */
    private static long ttlNanos() {
        String text = Security.getProperty("networkaddress.cache.ttl");
        long seconds;
        try {
            seconds = text == null ? 30 : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            seconds = 30;
        }
        return seconds < 0 ? Long.MAX_VALUE / 4 : TimeUnit.SECONDS.toNanos(seconds);
    }
}
