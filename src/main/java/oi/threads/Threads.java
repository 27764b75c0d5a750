package oi.threads;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import oi.settings.Scheduler;
import oi.settings.Settings;
import oi.settings.ThreadModel;

/**
 * Where a session's tasks run: the one choice of {@code --threads} and {@code --scheduler},
 * made once at startup and used by every listener.
 */
public interface Threads {

    /** Runs {@code task} on a thread named {@code name}, started now or taken from a pool. */
    void start(String name, Runnable task);

    /**
     * Lets other connections run after a pump has kept its thread busy with a bulk transfer;
     * only the poller scheduler needs it, elsewhere the kernel or the JDK shares the cores.
     */
    default void yieldInBulk() {
    }

    /** What the startup line says of these threads, e.g. {@code virtual threads, poller scheduler}. */
    String describe();

    /**
     * The threads of a settings' model and scheduler; a poller scheduler this JVM cannot run
     * falls back to the JDK's, which its one log line has said.
     */
    static Threads of(Settings settings) {
        if (settings.threads() == ThreadModel.PLATFORM) {
            return new PlatformPool();
        }
        int cores = Runtime.getRuntime().availableProcessors();
        Scheduler scheduler = settings.scheduler().resolve(cores);
        String chosen = settings.scheduler() == Scheduler.AUTO ? " (auto, " + cores + (cores == 1 ? " core)" : " cores)") : "";
        if (scheduler == Scheduler.POLLER) {
            PollerScheduler.configurePollers();
            PollerScheduler poller = PollerScheduler.create();
            if (poller != null) {
                return new Threads() {
                    @Override
                    public void start(String name, Runnable task) {
                        poller.start(name, task);
                    }

                    @Override
                    public void yieldInBulk() {
                        Thread.yield(); // from a poller thread this resubmits to the carrier pool
                    }

                    @Override
                    public String describe() {
                        return "virtual threads, poller scheduler" + chosen;
                    }
                };
            }
        }
        return new Threads() {
            @Override
            public void start(String name, Runnable task) {
                Thread.ofVirtual().name(name).start(task);
            }

            @Override
            public String describe() {
                return "virtual threads, jdk scheduler" + (scheduler == Scheduler.JDK ? chosen : "");
            }
        };
    }

    /**
     * Platform threads reused from a pool instead of started per pump: a thread start costs a
     * clone(2), a stack and its guard pages per pump, which a connection-heavy load pays for every
     * connection (docs/experiments.md has the figures). Idle threads end after a
     * minute, so a quiet forwarder holds none.
     */
    final class PlatformPool implements Threads {
        private final AtomicLong created = new AtomicLong();
        private final ExecutorService pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), task -> Thread.ofPlatform().daemon(true)
                        .name("oi-platform-" + created.incrementAndGet()).unstarted(task));

        @Override
        public void start(String name, Runnable task) {
            pool.execute(() -> {
                Thread thread = Thread.currentThread();
                String idle = thread.getName();
                thread.setName(name); // thread dumps name the connection, as with a thread of its own
                try {
                    task.run();
                } finally {
                    thread.setName(idle);
                }
            });
        }

        @Override
        public String describe() {
            return "platform threads (pooled)";
        }
    }
}
