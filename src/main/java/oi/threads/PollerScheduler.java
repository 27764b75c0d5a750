package oi.threads;

import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadFactory;
import org.tinylog.Logger;

/**
 * Virtual threads whose wake-up costs one thread hand-off instead of two. With the JDK's
 * scheduler a ready socket wakes the poller thread, which hands the virtual thread to a
 * carrier thread; here the poller thread runs it itself, so a forwarded read is one wake-up,
 * as in rinetd's epoll loop.
 *
 * <p>What the poller must not do is run for long: every other connection it watches waits
 * meanwhile. So a task runs inline only when the poller itself woke it (not when a task
 * running inline yields or wakes another), and a pump that keeps filling its buffer — a bulk
 * transfer — yields now and then ({@link Threads#yieldInBulk}), which moves it to a small pool
 * of carriers sized to the cores. That pool also runs every task started or woken anywhere else.
 *
 * <p>It needs the JDK's package-private virtual-thread builder that takes a scheduler (the
 * jar's manifest opens {@code java.lang} for it) and pollers that are platform threads
 * ({@code jdk.pollerMode=1}, set by {@link #configurePollers} before the first blocking I/O).
 * Without either it is not used: {@link #create} says why in one log line and returns null.
 */
final class PollerScheduler implements Executor {
    private static final ThreadLocal<Boolean> INLINE = new ThreadLocal<>();

    private final ForkJoinPool carriers;
    private final ThreadFactory factory;

    private PollerScheduler(int parallelism, Constructor<?> builder) throws ReflectiveOperationException {
        this.carriers = new ForkJoinPool(parallelism, pool -> {
            var thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            thread.setName("oi-carrier-" + thread.getPoolIndex());
            thread.setDaemon(true);
            return thread;
        }, null, true);
        this.factory = ((Thread.Builder.OfVirtual) builder.newInstance(this)).name("oi-virtual").factory();
    }

    /**
     * Asks the JDK for pollers on platform threads, one per core for reads and for writes,
     * unless the command line chose otherwise; must run before the first blocking socket I/O.
     */
    static void configurePollers() {
        int pollers = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()));
        System.getProperties().putIfAbsent("jdk.pollerMode", "1");
        System.getProperties().putIfAbsent("jdk.readPollers", Integer.toString(pollers));
        System.getProperties().putIfAbsent("jdk.writePollers", Integer.toString(pollers));
    }

    /** The scheduler, or null (after one log line saying why) when this JVM cannot run it. */
    static PollerScheduler create() {
        if (!"1".equals(System.getProperty("jdk.pollerMode")) && Runtime.version().feature() >= 22) {
            Logger.info("--scheduler poller needs jdk.pollerMode=1 (the pollers as platform threads): using the JDK's scheduler");
            return null;
        }
        try {
            Constructor<?> builder = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder")
                    .getDeclaredConstructor(Executor.class);
            builder.setAccessible(true);
            return new PollerScheduler(Runtime.getRuntime().availableProcessors(), builder);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Logger.info("--scheduler poller cannot reach the JDK's virtual-thread builder (run oi with java -jar, or add "
                    + "--add-opens java.base/java.lang=ALL-UNNAMED): using the JDK's scheduler");
            return null;
        }
    }

    /** Starts a virtual thread of this scheduler. */
    void start(String name, Runnable task) {
        Thread thread = factory.newThread(task);
        thread.setName(name);
        thread.start();
    }

    @Override
    public void execute(Runnable continuation) {
        if (INLINE.get() == null && isPoller(Thread.currentThread())) {
            INLINE.set(Boolean.TRUE);
            try {
                continuation.run(); // the woken virtual thread runs here until it parks or yields
            } finally {
                INLINE.remove();
            }
        } else {
            carriers.execute(continuation);
        }
    }

    /** The JDK's poller threads in {@code jdk.pollerMode=1} are platform threads with these names. */
    private static boolean isPoller(Thread thread) {
        return !thread.isVirtual() && thread.getName().endsWith("-Poller");
    }
}
