package oi.threads;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>A task running inline that starts or wakes another (an accept starting a connection's
 * thread, a pump waking its partner) queues it on the same poller, which runs it next: a new
 * connection's steps stay on the thread that saw its socket ready, with no hand-off to a
 * carrier and no wake-up of one. What the poller must not do is run for long: every other
 * connection it watches waits meanwhile. So it runs its queue for at most a short budget, then
 * hands what is left to a small pool of carriers sized to the cores, and a pump that keeps
 * filling its buffer — a bulk transfer — yields now and then ({@link Threads#yieldInBulk}),
 * which moves it to that pool too (a yield never queues on the poller: that held the bulk
 * transfers on it in issue 13). The pool also runs every task started or woken anywhere else.
 *
 * <p>It needs the JDK's package-private virtual-thread builder that takes a scheduler and
 * {@code Thread.currentCarrierThread()} (the jar's manifest opens {@code java.lang} for both),
 * and pollers that are platform threads ({@code jdk.pollerMode=1}, set by
 * {@link #configurePollers} before the first blocking I/O). Without them it is not used:
 * {@link #create} says why in one log line and returns null.
 */
final class PollerScheduler implements Executor {
    /** How long a poller runs queued tasks before it goes back to its sockets. */
    private static final long BUDGET_NANOS = 1_000_000;
    /** Tasks queued on one poller at most; more go to the carrier pool at once. */
    private static final int QUEUED_MAX = 64;

    /** What one poller thread runs inline: the task running now, and those it started or woke. */
    private static final class Inline {
        final ArrayDeque<Runnable> queued = new ArrayDeque<>();
        Runnable running; // null between inline runs
    }

    private final ForkJoinPool carriers;
    private final ThreadFactory factory;
    /** {@code Thread.currentCarrierThread()}: a virtual thread running inline must find the poller it runs on. */
    private final MethodHandle currentCarrier;
    private final Map<Thread, Inline> inlineByPoller = new ConcurrentHashMap<>();

    private PollerScheduler(int parallelism, Constructor<?> builder, MethodHandle currentCarrier) throws ReflectiveOperationException {
        this.currentCarrier = currentCarrier;
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
            Method currentCarrier = Thread.class.getDeclaredMethod("currentCarrierThread");
            currentCarrier.setAccessible(true);
            return new PollerScheduler(Runtime.getRuntime().availableProcessors(), builder,
                    MethodHandles.lookup().unreflect(currentCarrier));
        } catch (ReflectiveOperationException | RuntimeException e) {
            Logger.info("--scheduler poller cannot reach the JDK's virtual-thread builder or carrier thread (run oi with java -jar, or add "
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
        Thread current = Thread.currentThread();
        Inline inline = inlineByPoller.get(current.isVirtual() ? carrier() : current);
        if (inline != null && inline.running != null) { // started or woken by a task running inline, or it yielded
            if (continuation != inline.running && inline.queued.size() < QUEUED_MAX) {
                inline.queued.add(continuation); // it runs on this poller too, next
            } else {
                carriers.execute(continuation); // the running task yielded: a bulk transfer moves to the pool
            }
        } else if (!current.isVirtual() && isPoller(current)) {
            runInline(inline != null ? inline : inlineByPoller.computeIfAbsent(current, poller -> new Inline()), continuation);
        } else {
            carriers.execute(continuation);
        }
    }

    /**
     * Runs a task the poller woke, then the tasks it started or woke in turn, until the queue is
     * empty or the budget is spent; what is left goes to the carrier pool, so nothing waits for
     * this poller's next {@code epoll_wait}.
     */
    private void runInline(Inline inline, Runnable woken) {
        try {
            inline.running = woken;
            woken.run(); // the virtual thread runs here until it parks or yields
            long deadline = System.nanoTime() + BUDGET_NANOS; // from here: an accept loop may have queued a burst
            for (Runnable next; System.nanoTime() - deadline < 0 && (next = inline.queued.poll()) != null; ) {
                inline.running = next;
                next.run();
            }
        } finally {
            inline.running = null;
            for (Runnable left; (left = inline.queued.poll()) != null; ) {
                carriers.execute(left);
            }
        }
    }

    /** The platform thread the calling virtual thread runs on. */
    private Thread carrier() {
        try {
            return (Thread) currentCarrier.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e); // cannot happen: a static method without arguments that the JDK always has
        }
    }

    /** The JDK's poller threads in {@code jdk.pollerMode=1} are platform threads with these names; oi's own are its own kind. */
    private static boolean isPoller(Thread thread) {
        return !thread.isVirtual() && (thread.getName().endsWith("-Poller") || EdgePoller.isPoller(thread));
    }
}
