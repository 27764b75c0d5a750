package oi.threads;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import oi.os.Native;
import oi.threads.EdgePoller.Watch;
import org.tinylog.Logger;

/**
 * One epoll instance of {@link EdgePoller} and the platform thread that waits in it: the
 * {@code epoll_ctl} and {@code epoll_wait} calls, through the Foreign Function &amp; Memory API,
 * and the socket descriptors, from the JDK's channels ({@code sun.nio.ch}, opened by the jar's
 * manifest). Compiled for JDK 22 and later only.
 */
final class Epoll {
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
    static final int READABLE = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
    static final int WRITABLE = EPOLLOUT | EPOLLHUP | EPOLLERR;
    private static final int EVENTS_PER_WAIT = 256;
    /** {@code struct epoll_event} is packed on x86-64 (12 bytes), aligned elsewhere (16). */
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));
    private static final long EVENT_SIZE = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    private static final Native.Loaded<Natives> LOADED = Native.load(Natives::load, "--poller oi cannot reach epoll(7) or the"
            + " JDK's socket descriptors (run it as bin/oi does, with java -jar, or add --add-opens java.base/sun.nio.ch=ALL-UNNAMED)");
    private static final Natives NATIVES = LOADED.value();

    /** Why epoll or the descriptors cannot be reached in this JVM, or null when they can. */
    static String unavailable() {
        return LOADED.unavailable();
    }

    /** Whether {@code thread} waits in one of these epoll instances. */
    static boolean isPollerThread(Thread thread) {
        return thread instanceof PollerThread;
    }

    private final int epfd;
    /** epoll_ctl's event and errno, allocated once for the life of the process, as the poller is. */
    private final MemorySegment ctlEvent = Arena.global().allocate(EVENT_SIZE, 8);
    private final MemorySegment ctlState = Arena.global().allocate(Native.CALL_STATE);
    private final AtomicLong nextToken = new AtomicLong();
    private final Map<Long, Watch> byToken = new ConcurrentHashMap<>();

    /** A new epoll instance and its thread, the {@code index}th of the process. */
    Epoll(int index) throws IOException {
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

    /** Adds a socket to this epoll, for reads and writes, edge-triggered: what is ready already is reported at once. */
    void arm(Watch watch) throws IOException {
        if (watch.token == 0) {
            watch.token = nextToken.incrementAndGet();
            byToken.put(watch.token, watch); // before epoll_ctl: the first edge may come at once
        }
        try {
            int fd = (int) NATIVES.fdVal.invokeExact((Object) watch.channel);
            synchronized (ctlEvent) { // one call's arguments at a time: a few per connection, so never long
                ctlEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, watch.token);
                int result = (int) NATIVES.epollCtl.invokeExact(ctlState, epfd, EPOLL_CTL_ADD, fd, ctlEvent);
                if (result != 0 && (int) Native.ERRNO_OF.get(ctlState, 0L) == EEXIST) { // a socket released but not closed
                    result = (int) NATIVES.epollCtl.invokeExact(ctlState, epfd, EPOLL_CTL_MOD, fd, ctlEvent);
                }
                if (result != 0) {
                    throw new IOException("epoll_ctl failed: errno " + (int) Native.ERRNO_OF.get(ctlState, 0L));
                }
            }
        } catch (Throwable e) {
            throw e instanceof IOException io ? io : new IOException("epoll_ctl: " + e, e);
        }
    }

    /** Takes a socket out of this epoll; one that is gone already has left it. */
    void disarm(Watch watch) {
        try {
            int fd = (int) NATIVES.fdVal.invokeExact((Object) watch.channel);
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
            MemorySegment state = arena.allocate(Native.CALL_STATE);
            while (true) {
                int ready = (int) NATIVES.epollWait.invokeExact(state, epfd, events, EVENTS_PER_WAIT, -1);
                if (ready < 0 && (int) Native.ERRNO_OF.get(state, 0L) != EINTR) {
                    Logger.error("oi's poller stopped: epoll_wait failed with errno {}", (int) Native.ERRNO_OF.get(state, 0L));
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

    /** Forgets a watch let go of: an edge its socket still reports before it closes finds nobody. */
    void forget(Watch watch) {
        if (watch.token != 0) {
            byToken.remove(watch.token);
        }
    }

    /** The platform thread of one epoll instance, which waits in epoll_wait and wakes the threads of the sockets that moved. */
    private static final class PollerThread extends Thread {
        PollerThread(Runnable loop, int index) {
            super(loop, "oi-Edge-" + index + "-Poller");
            setDaemon(true);
        }
    }

    /** epoll_create1, epoll_ctl and epoll_wait, and the JDK's descriptor of a channel, looked up once. */
    private record Natives(MethodHandle epollCreate, MethodHandle epollCtl, MethodHandle epollWait, MethodHandle fdVal) {
        static Natives load() throws ReflectiveOperationException {
            return new Natives(Native.function("epoll_create1", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)),
                    Native.function("epoll_ctl", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS), Native.ERRNO),
                    Native.function("epoll_wait", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Native.ERRNO),
                    Native.descriptorOfChannel());
        }
    }
}
