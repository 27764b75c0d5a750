package oi.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New connections per second: each client thread connects, exchanges one byte with the echo
 * and closes, as fast as it can, like wrk with {@code Connection: close}.
 */
public final class ConnectionRate {

    private ConnectionRate() {
    }

    /**
     * Connections completed per second over {@code seconds}, with {@code concurrency} clients,
     * after half a second of the same load that is not counted (a JIT-compiled forwarder warms up).
     */
    public static double measure(InetSocketAddress target, double seconds, int concurrency) throws InterruptedException {
        run(target, 0.5, concurrency);
        return run(target, seconds, concurrency);
    }

    private static double run(InetSocketAddress target, double seconds, int concurrency) throws InterruptedException {
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> clients = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            clients.add(Thread.ofPlatform().daemon(true).start(() -> {
                while (System.nanoTime() < end) {
                    try (Socket socket = new Socket()) {
                        socket.setSoLinger(true, 0); // no TIME_WAIT pile-up on the client side
                        socket.connect(target, 5000);
                        socket.setSoTimeout(5000);
                        socket.getOutputStream().write(1);
                        if (socket.getInputStream().read() == 1) {
                            done.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }
}
