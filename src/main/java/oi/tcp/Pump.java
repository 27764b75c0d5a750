package oi.tcp;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import oi.settings.IoMode;
import oi.threads.Completion;
import oi.threads.Threads;

/**
 * One direction of a TCP connection: a blocking read from one socket into a buffer and a write
 * of the same bytes to the other, until end of stream. One class used twice, as rinetd calls
 * its handlers with {@code socket} and {@code other_socket} swapped.
 *
 * <p>A pump reads into a small buffer of its own and borrows a full-size one from the pool only
 * while reads fill the small one, so {@code --buffer} sets the ceiling of a read, not the memory
 * of an idle connection. With {@code --io splice} the bytes go through a kernel pipe instead
 * and never enter the JVM; with {@code --io hybrid} only a bulk transfer's do. How a read and
 * a write are made is an {@link Io}: {@link BufferedIo}, {@link HybridIo} or {@link Splice}.
 *
 * <p>Runs on one thread; the opposite pump may ask {@link #writeFailed} and wait on
 * {@link #completion} from its own.
 */
final class Pump {
    /** Bytes a bulk transfer moves before it yields its thread: long enough to cost little, short enough for the others. */
    private static final long BULK_SLICE = 256 * 1024;

    private final SocketChannel from;
    private final SocketChannel to;
    private final IoMode mode;
    private final BufferPool pool;
    private final LongConsumer counted;
    private final Threads threads;
    private final Throttle.Direction limits;
    private final boolean nagleInBulk;
    private final Completion completion = new Completion();
    private volatile boolean writing;
    private volatile boolean writeFailed;
    private volatile Thread watcher;

    /**
     * A pump from {@code from} to {@code to}; {@code counted} hears of every write, on the pump's thread.
     *
     * @param limits the bandwidth limits of this direction, or null for none
     * @param nagleInBulk whether {@code to} sends without TCP_NODELAY while reads come back full ({@code --nodelay auto})
     */
    Pump(SocketChannel from, SocketChannel to, BufferPool pool, Threads threads, LongConsumer counted, Throttle.Direction limits,
         boolean nagleInBulk) {
        this.from = from;
        this.limits = limits;
        this.nagleInBulk = nagleInBulk;
        this.to = to;
        this.mode = pool.io();
        this.pool = pool;
        this.threads = threads;
        this.counted = counted;
    }

    /**
     * Copies until {@code from} reaches end of stream or a read or write fails. The caller
     * decides what an end means for the other socket (half-close or reset).
     *
     * @return true on a clean end of stream, false when a read or write failed
     */
    boolean copy() {
        try (Io io = limits != null ? new BufferedIo(from, to, limits.batch())
                : mode == IoMode.SPLICE ? Splice.between(from, to, pool.size(), pool.poller())
                : mode == IoMode.HYBRID ? new HybridIo(from, to, Splice.between(from, to, pool.size(), null))
                : new BufferedIo(from, to, mode, pool)) {
            long n;
            long bulk = 0;
            boolean held = false; // TCP_NODELAY is off on `to`: the kernel merges this bulk transfer's writes
            while ((n = io.read()) >= 0) {
                if (limits != null) {
                    limits.await(n); // asleep, holding only the pump's own buffer
                }
                writing = true;
                io.write();
                wrote(false);
                counted.accept(n);
                if (nagleInBulk && io.filled() != held) {
                    held = !held;
                    to.setOption(StandardSocketOptions.TCP_NODELAY, !held); // on again, it sends what was held at once
                }
                // Reads that keep coming back full are a bulk transfer: now and then let others run.
                bulk = io.filled() ? bulk + n : 0;
                if (bulk >= BULK_SLICE) {
                    bulk = 0;
                    io.inBulk();
                    threads.yieldInBulk();
                }
            }
            return true;
        } catch (IOException e) {
            wrote(writing);
            return false;
        }
    }

    private void wrote(boolean failed) {
        writeFailed = failed;
        writing = false;
        Thread waiting = watcher; // read after writing = false: a watcher either sees that or is woken here
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
    }

    /**
     * Whether a write of this pump failed, waiting up to {@code limitNanos} for one in flight to
     * finish. A reset from the peer is reported to only one syscall: when this pump's write gets
     * it, the opposite pump's read of the same socket sees a plain end of stream, and must ask
     * here before passing that end on as a clean half-close. Called by the opposite pump only.
     */
    boolean writeFailed(long limitNanos) {
        watcher = Thread.currentThread(); // set before reading writing: see wrote()
        long deadline = System.nanoTime() + limitNanos;
        long left;
        while (writing && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
        watcher = null;
        return writeFailed;
    }

    /** Signalled when this pump's thread is done with the connection, whichever way it ended. */
    Completion completion() {
        return completion;
    }

    /** The socket this pump writes to, which its end of stream half-closes. */
    SocketChannel to() {
        return to;
    }

    /** One read and one write at a time, in the style {@code --io} chose. */
    interface Io extends AutoCloseable {
        /** Waits for bytes and takes what has come; returns the count, or -1 at end of stream. */
        long read() throws IOException;

        /** Writes all the bytes the last read took. */
        void write() throws IOException;

        /** Whether the last read filled all the room it had, so more is probably waiting. */
        boolean filled();

        /** Told now and then during a bulk transfer, whose reads find their bytes without waiting. */
        default void inBulk() {
        }

        /** Gives back what the pump borrowed. */
        @Override
        void close();
    }
}
