package oi.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A Unix datagram socket standing in for systemd's notification socket: bound to a path or, for
 * a name starting with {@code @}, in the abstract namespace, and read one datagram at a time.
 * The JDK cannot bind Unix datagram sockets, so this goes through FFM, as oi's sender does.
 */
public final class NotifySocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = function("socket", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT);
    private static final MethodHandle BIND = function("bind", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT);
    private static final MethodHandle SETSOCKOPT = function("setsockopt", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    private static final MethodHandle RECV = function("recv", ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT);
    private static final MethodHandle CLOSE = function("close", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);

    private final int fd;
    private final String name;

    private NotifySocket(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    private static MethodHandle function(String name, ValueLayout result, ValueLayout... arguments) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), FunctionDescriptor.of(result, arguments));
    }

    /** Binds {@code name}: a socket file's path, or {@code @} and an abstract name, as NOTIFY_SOCKET writes them. */
    public static NotifySocket bind(String name) throws Throwable {
        int fd = (int) SOCKET.invokeExact(AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket failed");
        }
        byte[] sunPath = name.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = sunPath[0] == '@';
        if (abstractName) {
            sunPath[0] = 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(110); // sa_family_t, then char sun_path[108]
            sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            sockaddr.asSlice(2).copyFrom(MemorySegment.ofArray(sunPath));
            if ((int) BIND.invokeExact(fd, sockaddr, 2 + sunPath.length + (abstractName ? 0 : 1)) != 0) {
                int ignored = (int) CLOSE.invokeExact(fd);
                throw new IllegalStateException("cannot bind " + name);
            }
        }
        return new NotifySocket(fd, name);
    }

    /** The name as NOTIFY_SOCKET should carry it. */
    public String name() {
        return name;
    }

    /** The next datagram, or empty when none came within {@code timeout}. */
    public Optional<String> receive(Duration timeout) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeval = arena.allocate(ValueLayout.JAVA_LONG, 2); // tv_sec, tv_usec
            timeval.setAtIndex(ValueLayout.JAVA_LONG, 0, timeout.toSeconds());
            timeval.setAtIndex(ValueLayout.JAVA_LONG, 1, timeout.toMillisPart() * 1000L);
            if ((int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16) != 0) {
                throw new IllegalStateException("setsockopt SO_RCVTIMEO failed");
            }
            MemorySegment buffer = arena.allocate(4096);
            long length = (long) RECV.invokeExact(fd, buffer, buffer.byteSize(), 0);
            return length < 0 ? Optional.empty()
                    : Optional.of(new String(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        }
    }

    /** The next datagram, failing the test when none comes within 20 s. */
    public String next() throws Throwable {
        return receive(Duration.ofSeconds(20)).orElseThrow(() -> new AssertionError("no notification on " + name + " within 20 s"));
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException("close failed", e);
        }
    }
}
