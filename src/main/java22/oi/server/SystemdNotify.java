package oi.server;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import oi.os.Native;
import org.tinylog.Logger;

/**
 * systemd's readiness protocol (sd_notify(3)): {@code READY=1}, {@code RELOADING=1} and
 * {@code STOPPING=1} datagrams to the Unix socket that {@code NOTIFY_SOCKET} names, so that
 * {@code systemctl start} and {@code reload} return when oi listens, not when it was started.
 * The JDK has no datagrams to Unix sockets, so socket(2) and sendto(2) are called through the
 * Foreign Function &amp; Memory API, final in JDK 22 (this class replaces the JDK 21 one in the
 * multi-release jar).
 *
 * <p>A message that cannot be sent is one warning, never a failure: oi forwards whether or not
 * systemd hears of it. Each message opens its own socket, as sd_notify does; they are rare.
 * Any thread may send.
 */
public final class SystemdNotify {
    /** Sends nothing: for a forwarder no service manager watches, such as the tests' and oi bench's. */
    public static final SystemdNotify OFF = new SystemdNotify(new byte[0]);

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int CLOCK_MONOTONIC = 1;
    /** {@code sizeof(sun_path)} in Linux's {@code struct sockaddr_un}, after its two-byte family. */
    private static final int SUN_PATH = 108;

    private static final Native.Loaded<Calls> LOADED = Native.load(Calls::load, "cannot reach socket(2) and sendto(2) through"
            + " the FFM API");
    private static final Calls NATIVE = LOADED.value();

    /** The socket's address as {@code sun_path} holds it: a path, or NUL and an abstract name; empty for {@link #OFF}. */
    private final byte[] path;

    private SystemdNotify(byte[] path) {
        this.path = path;
    }

    /** What {@code NOTIFY_SOCKET} asks for: {@link #OFF} when it is unset, or (with one warning) unusable. */
    public static SystemdNotify fromEnvironment() {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null) {
            return OFF;
        }
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        String problem = LOADED.unavailable() != null ? LOADED.unavailable()
                : !socket.startsWith("/") && !socket.startsWith("@") ? "neither a socket path nor @ and an abstract name"
                : path.length >= SUN_PATH ? "longer than the " + (SUN_PATH - 1) + " bytes a Unix socket address holds"
                : null;
        if (problem != null) {
            Logger.warn("NOTIFY_SOCKET \"{}\": {}; systemd is not told when oi is ready", socket, problem);
            return OFF;
        }
        if (path[0] == '@') {
            path[0] = 0; // the abstract namespace: a name that starts with NUL, and no file
        }
        return new SystemdNotify(path);
    }

    /** Tells systemd that every listener is bound (again, after a reload), with a status line. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + status.replace('\n', ' '), false);
    }

    /**
     * Tells systemd that a reload has begun; the timestamp tells Type=notify-reload that this
     * reload started after its SIGHUP, not before.
     */
    public void reloading() {
        send("RELOADING=1", true);
    }

    /** Tells systemd that oi is stopping. */
    public void stopping() {
        send("STOPPING=1", false);
    }

    private void send(String message, boolean stamped) {
        if (path.length == 0) {
            return;
        }
        try {
            String text = stamped ? message + "\nMONOTONIC_USEC=" + NATIVE.monotonicMicros() : message;
            NATIVE.send(path, text.getBytes(StandardCharsets.UTF_8));
        } catch (NotSent e) {
            Logger.warn("cannot tell systemd \"{}\": {}", message.replace('\n', ' '), e.getMessage());
        }
    }

    /** A notification that did not leave, with the call and errno's text. */
    private static final class NotSent extends Exception {
        NotSent(String message) {
            super(message, null, false, false);
        }
    }

    /** The C functions this class calls, looked up once. */
    private record Calls(MethodHandle socket, MethodHandle sendto, MethodHandle close, MethodHandle strerror,
                         MethodHandle clockGettime) {

        static Calls load() {
            return new Calls(
                    Native.function("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT), Native.ERRNO),
                    Native.function("sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Native.ERRNO),
                    Native.function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)),
                    Native.function("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT)),
                    Native.function("clock_gettime", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS)));
        }

        /** One datagram to the socket at {@code path}, from a socket of its own. */
        void send(byte[] path, byte[] message) throws NotSent {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment errnoState = arena.allocate(Native.CALL_STATE);
                // struct sockaddr_un: the family, then sun_path; the arena zeroes it, so a path ends in NUL.
                MemorySegment address = arena.allocate(2 + SUN_PATH);
                address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
                MemorySegment.copy(path, 0, address, ValueLayout.JAVA_BYTE, 2, path.length);
                // A path's length counts its NUL; an abstract name is exactly its bytes.
                int addressLength = 2 + path.length + (path[0] == 0 ? 0 : 1);
                MemorySegment bytes = arena.allocateFrom(ValueLayout.JAVA_BYTE, message);
                int fd = (int) socket.invokeExact(errnoState, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                    throw failed("socket", errnoState);
                }
                try {
                    long sent = (long) sendto.invokeExact(errnoState, fd, bytes, (long) message.length, MSG_NOSIGNAL, address,
                            addressLength);
                    if (sent < 0) {
                        throw failed("sendto", errnoState);
                    }
                } finally {
                    int ignored = (int) close.invokeExact(fd);
                }
            } catch (NotSent e) {
                throw e;
            } catch (Throwable e) {
                throw new NotSent(e.toString());
            }
        }

        /** CLOCK_MONOTONIC in microseconds, the clock systemd stamps its SIGHUP with. */
        long monotonicMicros() throws NotSent {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment timespec = arena.allocate(ValueLayout.JAVA_LONG, 2); // struct timespec: tv_sec, tv_nsec
                if ((int) clockGettime.invokeExact(CLOCK_MONOTONIC, timespec) != 0) {
                    throw new NotSent("clock_gettime failed");
                }
                return timespec.getAtIndex(ValueLayout.JAVA_LONG, 0) * 1_000_000 + timespec.getAtIndex(ValueLayout.JAVA_LONG, 1) / 1_000;
            } catch (NotSent e) {
                throw e;
            } catch (Throwable e) {
                throw new NotSent(e.toString());
            }
        }

        private NotSent failed(String call, MemorySegment errnoState) throws Throwable {
            int code = (int) Native.ERRNO_OF.get(errnoState, 0L);
            MemorySegment text = (MemorySegment) strerror.invokeExact(code);
            return new NotSent(call + ": " + text.reinterpret(256).getString(0));
        }
    }
}
