package oi.tcp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import oi.os.Native;
import oi.threads.EdgePoller;

/**
 * {@code --io splice}: a pump whose bytes go socket → pipe → socket with splice(2), so they are
 * never copied into the JVM; splice is called through the Foreign Function &amp; Memory API, final
 * in JDK 22 (this class replaces the JDK 21 one in the multi-release jar).
 *
 * <p>It blocks the way the JDK's own channel reads do, through the channel's private hooks (the
 * jar's manifest opens {@code sun.nio.ch} for them). While it may wait it registers as the
 * channel's reader or writer, so a close from another thread wakes it, and the descriptor number
 * is not freed, and reused by a new socket, before the pump lets go of it. It waits with the
 * channel's own park, which on a virtual thread goes through the JDK's poller and frees the
 * carrier, or on oi's own poller ({@code --poller oi}), which keeps each socket registered from
 * its first wait until a bulk transfer quiets it ({@link #inBulk}). Pipes come from a small
 * shared pool: a pump holds one only while bytes are in it, so an idle connection costs no pipe
 * descriptors.
 */
public final class Splice implements Pump.Io {
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EPIPE = 32;
    private static final int ECONNRESET = 104;
    private static final int SPLICE_F_MOVE = 1;
    private static final int SPLICE_F_NONBLOCK = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final int IDLE_PIPES = 64;
    /** Linux's default pipe size: the most one splice into an empty pipe moves. */
    private static final long PIPE_CAPACITY = 65_536;

    private static final Native.Loaded<SpliceHooks> LOADED = Native.load(SpliceHooks::load, "--io splice and hybrid cannot reach splice(2)"
            + " or the JDK's channel hooks (run it as bin/oi does, with java -jar, or add --add-opens java.base/sun.nio.ch=ALL-UNNAMED)");
    private static final SpliceHooks HOOKS = LOADED.value();

    private static final ConcurrentLinkedQueue<Pipe> IDLE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger IDLE_COUNT = new AtomicInteger();

    private final SocketChannel from;
    private final SocketChannel to;
    private final int fromFd;
    private final int toFd;
    private final long chunk;
    private final EdgePoller.Watch reads; // null: the JDK's pollers wake this pump
    private final EdgePoller.Watch writes;
    private final MemorySegment callState = Arena.ofAuto().allocate(Native.CALL_STATE);
    private Pipe pipe;
    private long inPipe;
    private long lastRead;

    private Splice(SocketChannel from, SocketChannel to, int chunk, EdgePoller poller) throws IOException {
        this.from = from;
        this.to = to;
        this.fromFd = HOOKS.fdVal(from);
        this.toFd = HOOKS.fdVal(to);
        this.chunk = chunk;
        // splice honours the socket's O_NONBLOCK, not the channel's mode. Each pump sets it on the
        // socket it reads; both pumps are made before either runs, so each socket has it in time.
        HOOKS.nonBlocking(from);
        this.reads = poller != null ? poller.watch(from, to) : null;
        this.writes = poller != null ? poller.watch(to, from) : null;
    }

    /** Why {@code --io splice} cannot run in this JVM, or null when it can. */
    public static String unavailable() {
        return LOADED.unavailable();
    }

    /**
     * A splice pump from one connected socket to the other, at most {@code chunk} bytes a call,
     * woken by {@code poller} (null: the JDK's pollers).
     */
    static Splice between(SocketChannel from, SocketChannel to, int chunk, EdgePoller poller) throws IOException {
        return new Splice(from, to, chunk, poller);
    }

    /** Pipes kept open for the next transfer, which a descriptor count must not take for a leak. */
    static int idlePipes() {
        return IDLE_COUNT.get();
    }

    @Override
    public long read() throws IOException {
        HOOKS.begin(HOOKS.beginRead(), from);
        long n = 0;
        try {
            while (true) {
                if (pipe == null) {
                    pipe = borrowPipe();
                }
                long edges = reads != null ? reads.readEdges() : 0; // before the call: an edge during it wakes the wait
                n = splice(fromFd, pipe.writeFd(), chunk);
                if (n > 0) {
                    inPipe = n;
                    lastRead = n;
                    return n;
                }
                returnPipe(); // still empty: an idle pump holds no pipe
                if (n == 0) {
                    return -1;
                }
                waitOrThrow((int) -n, true, edges);
            }
        } finally {
            HOOKS.end(HOOKS.endRead(), from, n > 0);
        }
    }

    @Override
    public void write() throws IOException {
        HOOKS.begin(HOOKS.beginWrite(), to);
        boolean done = false;
        try {
            while (inPipe > 0) {
                long edges = writes != null ? writes.writeEdges() : 0;
                long n = splice(pipe.readFd(), toFd, inPipe);
                if (n > 0) {
                    inPipe -= n;
                } else {
                    waitOrThrow(n == 0 ? EPIPE : (int) -n, false, edges);
                }
            }
            done = true;
            returnPipe();
        } finally {
            HOOKS.end(HOOKS.endWrite(), to, done);
        }
    }

    @Override
    public void inBulk() {
        if (reads == null) {
            return;
        }
        try {
            HOOKS.begin(HOOKS.beginRead(), from); // as for a read: a close now must not free the descriptor under epoll_ctl
        } catch (IOException e) {
            return; // closed: the kernel took it out of epoll
        }
        try {
            reads.quiet(); // the socket leaves oi's epoll until this pump waits for it again
        } finally {
            try {
                HOOKS.end(HOOKS.endRead(), from, true);
            } catch (IOException e) {
                // closed meanwhile: the next read says so
            }
        }
    }

    @Override
    public boolean filled() {
        return lastRead >= Math.min(chunk, PIPE_CAPACITY);
    }

    /**
     * Parks until the socket read ({@code reading}) or written is ready again when the call would
     * have blocked (on oi's poller past {@code edges}, or on the JDK's); otherwise throws.
     */
    private void waitOrThrow(int errno, boolean reading, long edges) throws IOException {
        SocketChannel channel = reading ? from : to;
        EdgePoller.Watch watch = reading ? reads : writes;
        switch (errno) {
            case EINTR -> { }
            case EAGAIN -> {
                if (!channel.isOpen()) {
                    throw new AsynchronousCloseException();
                }
                if (watch == null) {
                    HOOKS.park(channel, reading ? HOOKS.pollIn() : HOOKS.pollOut());
                } else if (reading) {
                    watch.awaitReadable(edges);
                } else {
                    watch.awaitWritable(edges);
                }
            }
            case ECONNRESET -> throw new SocketException("Connection reset");
            case EPIPE -> throw new SocketException("Broken pipe");
            default -> throw new SocketException("splice failed: errno " + errno);
        }
    }

    @Override
    public void close() {
        if (reads != null) {
            reads.release();
            writes.release();
        }
        if (pipe != null && inPipe > 0) {
            pipe.close(); // bytes a failed write left behind must not reach another connection
            pipe = null;
        }
        returnPipe();
    }

    private long splice(int in, int out, long length) throws IOException {
        try {
            long n = (long) HOOKS.splice().invokeExact(callState, in, MemorySegment.NULL, out, MemorySegment.NULL, length,
                    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            return n >= 0 ? n : -(int) Native.ERRNO_OF.get(callState, 0L);
        } catch (Throwable e) {
            throw new IOException("splice: " + e, e);
        }
    }

    private static Pipe borrowPipe() throws IOException {
        Pipe idle = IDLE.poll();
        if (idle != null) {
            IDLE_COUNT.decrementAndGet();
            return idle;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            if ((int) HOOKS.pipe2().invokeExact(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
                throw new IOException("pipe2 failed (out of descriptors?)");
            }
            return new Pipe(fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("pipe2: " + e, e);
        }
    }

    private void returnPipe() {
        if (pipe == null) {
            return;
        }
        if (IDLE_COUNT.incrementAndGet() <= IDLE_PIPES) {
            IDLE.offer(pipe);
        } else {
            IDLE_COUNT.decrementAndGet();
            pipe.close();
        }
        pipe = null;
    }

    /** The two ends of a kernel pipe. */
    private record Pipe(int readFd, int writeFd) {
        void close() {
            HOOKS.close(readFd);
            HOOKS.close(writeFd);
        }
    }
}
