package oi.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import oi.report.FailureBurst;
import oi.settings.IoMode;
import oi.settings.Poller;
import oi.settings.Settings;
import oi.threads.EdgePoller;
import org.tinylog.Logger;

/**
 * Full-size pump buffers ({@code --buffer}), lent to a pump only while its reads fill its small
 * buffer, so that an idle connection holds a few KiB instead of two full buffers.
 *
 * <p>All full-size buffers together stay within a budget ({@code --buffer-memory}): past it a
 * pump is refused a loan and goes on with its small buffer, slower but never stuck, and the
 * burst is logged once. Shared by all pumps; a bounded number of returned buffers is kept for
 * reuse and the rest is left to the garbage collector.
 */
public final class BufferPool {
    /** What each pump holds for good: enough for interactive traffic, small enough for idle connections. */
    public static final int SMALL = 1024;
    private static final int MAX_POOLED_BYTES = 32 << 20;

    private final IoMode io;
    private final EdgePoller poller;
    private final int size;
    private final boolean direct;
    private final long budget;
    private final int maxPooled;
    private final ConcurrentLinkedDeque<ByteBuffer> free = new ConcurrentLinkedDeque<>();
    private final AtomicInteger pooled = new AtomicInteger();
    private final AtomicLong reserved = new AtomicLong();
    private final FailureBurst refusals;

    /**
     * The pool of a command line: {@code --buffer}-sized, direct unless {@code --io stream}, within
     * {@code --buffer-memory}, for pumps that move bytes the way {@code --io} says, {@code auto}
     * resolved for this JVM, and are woken by the poller {@code --poller} chose.
     */
    public static BufferPool create(Settings settings) {
        IoMode io = settings.io().resolve(Splice.unavailable() == null);
        long budget = settings.bufferMemory() > 0 ? settings.bufferMemory() : MemoryLimits.defaultBudget(io != IoMode.STREAM);
        if (settings.poller() == Poller.OI && io != IoMode.SPLICE) {
            Logger.info("--poller oi wakes splice pumps only: io {} uses the JDK's pollers", io);
        }
        return new BufferPool(io, io == IoMode.SPLICE && settings.poller() == Poller.OI ? edgePoller() : null, settings.bufferSize(),
                budget);
    }

    /** oi's own poller, or null (after one log line saying why) when this JVM cannot run it. */
    private static EdgePoller edgePoller() {
        String why = EdgePoller.unavailable();
        if (why == null) {
            try {
                return EdgePoller.shared();
            } catch (IOException e) {
                why = "--poller oi cannot start: " + e.getMessage();
            }
        }
        Logger.info("{}: using the JDK's pollers", why);
        return null;
    }

    /**
     * A pool of {@code size}-byte buffers, direct (for channels and splice) or on the heap (for streams),
     * holding at most {@code budget} bytes of them, lent and kept together, for pumps that {@code poller}
     * wakes (null: the JDK's pollers).
     */
    BufferPool(IoMode io, EdgePoller poller, int size, long budget) {
        this.io = io;
        this.poller = poller;
        this.size = size;
        this.direct = io != IoMode.STREAM;
        this.budget = budget;
        this.maxPooled = (int) Math.max(1, Math.min(MAX_POOLED_BYTES, budget / 2) / size);
        this.refusals = new FailureBurst("lending a " + size / 1024 + " KiB buffer within --buffer-memory "
                + budget / (1024 * 1024) + " MiB", "pumps go on with their " + SMALL / 1024 + " KiB buffers meanwhile");
    }

    /** How the pumps of this pool move bytes: {@code --io}, with {@code auto} resolved to splice or channel. */
    public IoMode io() {
        return io;
    }

    /** oi's poller, which wakes splice pumps and their backend connects, or null for the JDK's pollers ({@code --poller}). */
    public EdgePoller poller() {
        return poller;
    }

    /** The size of the buffers lent. */
    public int size() {
        return size;
    }

    /** The budget of all full-size buffers, in bytes. */
    public long budget() {
        return budget;
    }

    /** Whether a pump should start small and borrow, or simply own a buffer of {@link #size}. */
    public boolean lends() {
        return size > SMALL;
    }

    /** The buffer a pump holds for as long as it lives: small on the heap when the pool lends, else one of {@link #size}. */
    public ByteBuffer own() {
        if (lends()) {
            return ByteBuffer.allocate(SMALL);
        }
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    /** A cleared full-size buffer, or null when the budget (or the JVM) has no room for one now. */
    public ByteBuffer borrow() {
        ByteBuffer buffer = free.pollFirst();
        if (buffer != null) {
            pooled.decrementAndGet();
            return buffer.clear();
        }
        if (reserved.addAndGet(size) > budget) {
            reserved.addAndGet(-size);
            refusals.failed("budget spent");
            return null;
        }
        try {
            buffer = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        } catch (OutOfMemoryError e) { // the JVM's own limit is lower than the budget: same remedy
            reserved.addAndGet(-size);
            refusals.failed(e.getMessage());
            return null;
        }
        refusals.succeeded();
        return buffer;
    }

    /** Takes a borrowed buffer back; most recently returned is lent first, while it is warm in cache. */
    public void giveBack(ByteBuffer buffer) {
        if (pooled.incrementAndGet() <= maxPooled) {
            free.offerFirst(buffer);
        } else {
            pooled.decrementAndGet();
            reserved.addAndGet(-size); // left to the collector
        }
    }

    /** Loans refused because the budget or the JVM had no room, since the start, for {@code /metrics}. */
    public long refused() {
        return refusals.total();
    }

    /** Bytes of full-size buffers lent or kept now. */
    public long reserved() {
        return reserved.get();
    }
}
