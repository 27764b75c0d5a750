package oi.runtime;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Full-size pump buffers ({@code --buffer}), lent to a pump only while its reads fill its small
 * buffer, so that an idle connection holds a few KiB instead of two full buffers.
 *
 * <p>Shared by all pumps; a bounded number of returned buffers is kept for reuse and the rest
 * is left to the garbage collector.
 */
public final class BufferPool {
    /** What each pump holds for good: enough for interactive traffic, small enough for idle connections. */
    public static final int SMALL = 1024;
    private static final int MAX_POOLED_BYTES = 32 << 20;

    private final int size;
    private final boolean direct;
    private final int maxPooled;
    private final ConcurrentLinkedDeque<ByteBuffer> free = new ConcurrentLinkedDeque<>();
    private final AtomicInteger pooled = new AtomicInteger();

    /** A pool of {@code size}-byte buffers, direct (for channels) or on the heap (for streams). */
    public BufferPool(int size, boolean direct) {
        this.size = size;
        this.direct = direct;
        this.maxPooled = Math.max(4, MAX_POOLED_BYTES / size);
    }

    /** The size of the buffers lent. */
    public int size() {
        return size;
    }

    /** Whether a pump should start small and borrow, or simply own a buffer of {@link #size}. */
    public boolean lends() {
        return size > SMALL;
    }

    /** A cleared full-size buffer. */
    public ByteBuffer borrow() {
        ByteBuffer buffer = free.pollFirst();
        if (buffer == null) {
            return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        }
        pooled.decrementAndGet();
        return buffer.clear();
    }

    /** Takes a borrowed buffer back; most recently returned is lent first, while it is warm in cache. */
    public void giveBack(ByteBuffer buffer) {
        if (pooled.incrementAndGet() <= maxPooled) {
            free.offerFirst(buffer);
        } else {
            pooled.decrementAndGet();
        }
    }
}
