package oi.threads;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * oi's own epoll, edge-triggered ({@code --poller oi}): a socket is registered once, for reads
 * and writes both, and a thread that must wait for it parks until the poller thread sees a new
 * edge. The JDK's pollers register one-shot instead, so every wait re-arms with an
 * {@code epoll_ctl} and a new connection's connect wakes a second, write poller; here a
 * connection's two sockets sit on one poller, which with the poller scheduler runs the threads it
 * wakes itself.
 *
 * <p>epoll is called by {@link Epoll}, one per poller, through the Foreign Function &amp; Memory
 * API, final in JDK 22 (this class replaces the JDK 21 one in the multi-release jar). The JDK wakes a waiting
 * thread when it closes a channel only on its own pollers, so whoever closes a watched socket
 * calls {@link #closed} after.
 */
public final class EdgePoller {
    private static final Map<SocketChannel, Watch> WATCHED = new ConcurrentHashMap<>();
    private static volatile EdgePoller shared;

    private final Epoll[] pollers;
    private final AtomicInteger nextPoller = new AtomicInteger();

    private EdgePoller(int count) throws IOException {
        pollers = new Epoll[count];
        for (int i = 0; i < count; i++) {
            pollers[i] = new Epoll(i);
        }
    }

    /** Why {@code --poller oi} cannot run in this JVM, or null when it can. */
    public static String unavailable() {
        return Epoll.unavailable();
    }

    /**
     * The process's pollers, one per core, started at the first call; the caller has checked
     * {@link #unavailable}.
     */
    public static EdgePoller shared() throws IOException {
        EdgePoller poller = shared;
        if (poller == null) {
            synchronized (EdgePoller.class) {
                if (shared == null) {
                    shared = new EdgePoller(Math.max(1, Runtime.getRuntime().availableProcessors()));
                }
                poller = shared;
            }
        }
        return poller;
    }

    /**
     * Watches {@code channel}, a connected or connecting socket, until each {@link Watch#release}
     * of its watches; a socket already watched gets the same watch again. A new one goes on the
     * poller of {@code partner} (the other socket of the connection) when that is watched. The
     * socket joins epoll at its first wait: a connection whose reads find their bytes waiting
     * costs no {@code epoll_ctl}, and the poller is not woken by a registration nobody waits on.
     */
    public Watch watch(SocketChannel channel, SocketChannel partner) {
        Watch near = partner != null ? WATCHED.get(partner) : null;
        Epoll poller = near != null ? near.poller : pollers[Math.floorMod(nextPoller.getAndIncrement(), pollers.length)];
        return WATCHED.compute(channel, (key, existing) -> {
            if (existing == null) {
                return new Watch(key, poller);
            }
            existing.refs++;
            return existing;
        });
    }

    /**
     * Connects {@code channel}, a new blocking socket, without the JDK's write poller: the connect
     * starts non-blocking and the thread waits for the socket to turn writable here, then the
     * channel is blocking again. A close of the channel (and {@link #closed}) ends the wait.
     *
     * @return the socket's watch, which the pumps then share and the caller releases when done with the socket
     */
    public Watch connect(SocketChannel channel, SocketAddress address) throws IOException {
        channel.configureBlocking(false);
        boolean connected = channel.connect(address);
        Watch watch = watch(channel, null);
        try {
            long edges = 0; // a new watch has seen none
            while (!connected) {
                watch.awaitWritable(edges);
                edges = watch.writeEdges; // before the check, so that an edge after it is not missed
                connected = channel.finishConnect();
            }
            channel.configureBlocking(true);
            return watch;
        } catch (IOException | RuntimeException e) {
            watch.release();
            throw e;
        }
    }

    /** Wakes every thread waiting on {@code channel}, which its caller has just closed; nothing when it is not watched. */
    public static void closed(SocketChannel channel) {
        Watch watch = WATCHED.get(channel);
        if (watch != null) {
            watch.closed = true;
            LockSupport.unpark(watch.reader);
            LockSupport.unpark(watch.writer);
        }
    }

    /** Whether {@code thread} is one of these pollers, which the poller scheduler lets run the threads they wake. */
    static boolean isPoller(Thread thread) {
        return Epoll.isPollerThread(thread);
    }

    /**
     * One socket on one poller: counts of the read and write edges the poller saw, and the thread
     * waiting for each. A waiter reads a count before its syscall and, when that would block, waits
     * for the count to move on, so an edge between the two is never lost.
     */
    public static final class Watch {
        final SocketChannel channel; // read by its Epoll
        private final Epoll poller;
        private boolean armed; // in epoll now; guarded by this
        volatile long token; // Epoll sets it at the first registration
        private int refs = 1; // changed only inside WATCHED.compute
        private volatile long readEdges;
        private volatile long writeEdges;
        private volatile Thread reader;
        private volatile Thread writer;
        private volatile boolean closed;

        private Watch(SocketChannel channel, Epoll poller) {
            this.channel = channel;
            this.poller = poller;
        }

        /** The read edges so far: taken before a read, handed to {@link #awaitReadable} when it would block. */
        public long readEdges() {
            return readEdges;
        }

        /** The write edges so far: taken before a write, handed to {@link #awaitWritable} when it would block. */
        public long writeEdges() {
            return writeEdges;
        }

        /** Parks until a read edge after {@code seen}; throws if the socket was closed meanwhile. */
        public void awaitReadable(long seen) throws IOException {
            await(true, seen);
        }

        /** Parks until a write edge after {@code seen}; throws if the socket was closed meanwhile. */
        public void awaitWritable(long seen) throws IOException {
            await(false, seen);
        }

        private void await(boolean reading, long seen) throws IOException {
            Thread waiting = Thread.currentThread();
            if (reading) {
                reader = waiting; // set before the count is read (see fire) and before arming (see quiet)
            } else {
                writer = waiting;
            }
            try {
                arm();
                while ((reading ? readEdges : writeEdges) == seen && !closed && !waiting.isInterrupted()) {
                    LockSupport.park(this);
                }
            } finally {
                if (reading) {
                    reader = null;
                } else {
                    writer = null;
                }
            }
            checkOpen();
        }

        /**
         * Puts the socket in its poller's epoll at its first wait, and again at the first wait
         * after {@link #quiet}: the registration reports what is ready already, so bytes that came
         * after the call that would have blocked still wake.
         */
        private synchronized void arm() throws IOException {
            if (!armed) {
                poller.arm(this);
                armed = true;
            }
        }

        /**
         * Takes the socket out of epoll while nobody waits on it, until the next wait: a pump in a
         * bulk transfer calls it for the socket it reads, whose every arriving segment would
         * otherwise wake the poller while the pump is busy copying.
         */
        public synchronized void quiet() {
            if (armed && reader == null && writer == null) { // a waiter sets itself before it arms: it cannot be missed
                poller.disarm(this);
                armed = false;
            }
        }

        private void checkOpen() throws IOException {
            if (closed || !channel.isOpen()) {
                throw new AsynchronousCloseException();
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while waiting for a socket");
            }
        }

        /** Lets go of this watch; the last release stops it (the descriptor leaves epoll when it closes). */
        public void release() {
            WATCHED.computeIfPresent(channel, (key, watch) -> {
                if (watch != this || --refs > 0) {
                    return watch;
                }
                poller.forget(this);
                return null;
            });
        }

        /** Called by the poller thread for each edge: the count moves on before the waiter is read, so one of the two sees the other. */
        void fire(int events) {
            if ((events & Epoll.READABLE) != 0) {
                readEdges++; // only this poller's thread writes the counts
                LockSupport.unpark(reader);
            }
            if ((events & Epoll.WRITABLE) != 0) {
                writeEdges++;
                LockSupport.unpark(writer);
            }
        }
    }
}
