package oi.threads;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.tinylog.Logger;

/**
 * oi's own epoll, edge-triggered ({@code --poller oi}): a socket is registered once, for reads
 * and writes both, and a thread that must wait for it parks until the poller thread sees a new
 * edge. The JDK's pollers register one-shot instead, so every wait re-arms with an
 * {@code epoll_ctl} and a new connection's connect wakes a second, write poller; here a
 * connection's two sockets sit on one poller, which with the poller scheduler runs the threads it
 * wakes itself.
 *
 * <p>epoll is called through the Foreign Function &amp; Memory API, final in JDK 22 (this class
 * replaces the JDK 21 one in the multi-release jar), and a socket's descriptor comes from the
 * JDK's channel ({@code sun.nio.ch}, opened by the jar's manifest). The JDK wakes a waiting
 * thread when it closes a channel only on its own pollers, so whoever closes a watched socket
 * calls {@link #closed} after.
 */
public final class EdgePoller {
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int EPOLLIN = 0x001;
    private static final int EPOLLOUT = 0x004;
    private static final int EPOLLERR = 0x008;
    private static final int EPOLLHUP = 0x010;
    private static final int EPOLLRDHUP = 0x2000;
    private static final int EPOLLET = 1 << 31;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    private static final int EEXIST = 17;
    private static final int READABLE = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
    private static final int WRITABLE = EPOLLOUT | EPOLLHUP | EPOLLERR;
    private static final int EVENTS_PER_WAIT = 256;
    /** {@code struct epoll_event} is packed on x86-64 (12 bytes), aligned elsewhere (16). */
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));
    private static final long EVENT_SIZE = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    private static final Natives NATIVES;
    private static final String UNAVAILABLE;

    static {
        Natives natives = null;
        String why = null;
        try {
            natives = Natives.load();
        } catch (ReflectiveOperationException | RuntimeException e) {
            why = "--poller oi cannot reach epoll(7) or the JDK's socket descriptors (run it as bin/oi does, with java -jar, or add"
                    + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED): " + e;
        }
        NATIVES = natives;
        UNAVAILABLE = why;
    }

    private static final Map<SocketChannel, Watch> WATCHED = new ConcurrentHashMap<>();
    private static volatile EdgePoller shared;

    private final Poller[] pollers;
    private final AtomicInteger nextPoller = new AtomicInteger();

    private EdgePoller(int count) throws IOException {
        pollers = new Poller[count];
        for (int i = 0; i < count; i++) {
            pollers[i] = new Poller(i);
        }
    }

    /** Why {@code --poller oi} cannot run in this JVM, or null when it can. */
    public static String unavailable() {
        return UNAVAILABLE;
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
        Poller poller = near != null ? near.poller : pollers[Math.floorMod(nextPoller.getAndIncrement(), pollers.length)];
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
        return thread instanceof PollerThread;
    }

    /**
     * One socket on one poller: counts of the read and write edges the poller saw, and the thread
     * waiting for each. A waiter reads a count before its syscall and, when that would block, waits
     * for the count to move on, so an edge between the two is never lost.
     */
    public static final class Watch {
        private final SocketChannel channel;
        private final Poller poller;
        private boolean armed; // in epoll now; guarded by this
        private volatile long token; // set at the first registration
        private int refs = 1; // changed only inside WATCHED.compute
        private volatile long readEdges;
        private volatile long writeEdges;
        private volatile Thread reader;
        private volatile Thread writer;
        private volatile boolean closed;

        private Watch(SocketChannel channel, Poller poller) {
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
                if (token != 0) {
                    poller.byToken.remove(token);
                }
                return null;
            });
        }

        /** Called by the poller thread for each edge: the count moves on before the waiter is read, so one of the two sees the other. */
        private void fire(int events) {
            if ((events & READABLE) != 0) {
                readEdges++; // only this poller's thread writes the counts
                LockSupport.unpark(reader);
            }
            if ((events & WRITABLE) != 0) {
                writeEdges++;
                LockSupport.unpark(writer);
            }
        }
    }

    /** The platform thread of one epoll instance, which waits in epoll_wait and wakes the threads of the sockets that moved. */
    private static final class PollerThread extends Thread {
        PollerThread(Runnable loop, int index) {
            super(loop, "oi-Edge-" + index + "-Poller");
            setDaemon(true);
        }
    }

    /** One epoll instance and its thread. */
    private static final class Poller {
        private final int epfd;
        /** epoll_ctl's event and errno, allocated once for the life of the process, as the poller is. */
        private final MemorySegment ctlEvent = Arena.global().allocate(EVENT_SIZE, 8);
        private final MemorySegment ctlState = Arena.global().allocate(NATIVES.callState);
        private final AtomicLong nextToken = new AtomicLong();
        private final Map<Long, Watch> byToken = new ConcurrentHashMap<>();

        Poller(int index) throws IOException {
            try {
                epfd = (int) NATIVES.epollCreate.invokeExact(EPOLL_CLOEXEC);
            } catch (Throwable e) {
                throw new IOException("epoll_create1: " + e, e);
            }
            if (epfd < 0) {
                throw new IOException("epoll_create1 failed (out of descriptors?)");
            }
            ctlEvent.set(ValueLayout.JAVA_INT_UNALIGNED, 0, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
            new PollerThread(this::run, index).start();
        }

        void arm(Watch watch) throws IOException {
            if (watch.token == 0) {
                watch.token = nextToken.incrementAndGet();
                byToken.put(watch.token, watch); // before epoll_ctl: the first edge may come at once
            }
            try {
                int fd = (int) NATIVES.fdVal.invoke((Object) watch.channel);
                synchronized (ctlEvent) { // one call's arguments at a time: a few per connection, so never long
                    ctlEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, watch.token);
                    int result = (int) NATIVES.epollCtl.invokeExact(ctlState, epfd, EPOLL_CTL_ADD, fd, ctlEvent);
                    if (result != 0 && (int) NATIVES.errno.get(ctlState, 0L) == EEXIST) { // a socket released but not closed
                        result = (int) NATIVES.epollCtl.invokeExact(ctlState, epfd, EPOLL_CTL_MOD, fd, ctlEvent);
                    }
                    if (result != 0) {
                        throw new IOException("epoll_ctl failed: errno " + (int) NATIVES.errno.get(ctlState, 0L));
                    }
                }
            } catch (Throwable e) {
                throw e instanceof IOException io ? io : new IOException("epoll_ctl: " + e, e);
            }
        }

        /** Takes a socket out of this epoll; one that is gone already has left it. */
        void disarm(Watch watch) {
            try {
                int fd = (int) NATIVES.fdVal.invoke((Object) watch.channel);
                synchronized (ctlEvent) {
                    int ignored = (int) NATIVES.epollCtl.invokeExact(ctlState, epfd, EPOLL_CTL_DEL, fd, ctlEvent);
                }
            } catch (Throwable e) {
                // closed meanwhile: the kernel took it out
            }
        }

        private void run() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment events = arena.allocate(EVENT_SIZE * EVENTS_PER_WAIT, 8);
                MemorySegment state = arena.allocate(NATIVES.callState);
                while (true) {
                    int ready = (int) NATIVES.epollWait.invokeExact(state, epfd, events, EVENTS_PER_WAIT, -1);
                    if (ready < 0 && (int) NATIVES.errno.get(state, 0L) != EINTR) {
                        Logger.error("oi's poller stopped: epoll_wait failed with errno {}", (int) NATIVES.errno.get(state, 0L));
                        return;
                    }
                    for (int i = 0; i < ready; i++) {
                        Watch watch = byToken.get(events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_OFFSET));
                        if (watch != null) { // null: released, its socket not closed yet
                            watch.fire(events.get(ValueLayout.JAVA_INT_UNALIGNED, i * EVENT_SIZE));
                        }
                    }
                }
            } catch (Throwable e) {
                Logger.error("oi's poller stopped: {}", e.toString());
            }
        }
    }

    /** epoll_create1, epoll_ctl and epoll_wait, and the JDK's descriptor of a channel, looked up once. */
    private record Natives(MethodHandle epollCreate, MethodHandle epollCtl, MethodHandle epollWait, VarHandle errno,
                           MemoryLayout callState, MethodHandle fdVal) {
        static Natives load() throws ReflectiveOperationException {
            Linker linker = Linker.nativeLinker();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            MemoryLayout state = Linker.Option.captureStateLayout();
            MethodHandle create = linker.downcallHandle(linker.defaultLookup().find("epoll_create1").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MethodHandle ctl = linker.downcallHandle(linker.defaultLookup().find("epoll_ctl").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS), errno);
            MethodHandle wait = linker.downcallHandle(linker.defaultLookup().find("epoll_wait").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT), errno);
            Method getFdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            getFdVal.setAccessible(true);
            return new Natives(create, ctl, wait, state.varHandle(MemoryLayout.PathElement.groupElement("errno")), state,
                    MethodHandles.lookup().unreflect(getFdVal));
        }
    }
}
