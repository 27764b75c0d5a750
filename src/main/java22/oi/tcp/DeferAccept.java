package oi.tcp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.ServerSocketChannel;
import oi.os.Native;

/**
 * {@code TCP_DEFER_ACCEPT} on a listening socket of an {@code acceptproxy=} rule, as haproxy's
 * {@code defer-accept} and nginx's {@code deferred} set it: the kernel hands oi a connection only
 * once its first bytes (the PROXY header, which the client must send first) have come, so the
 * connection's first read finds them instead of parking until they come, and a client that
 * connects and sends nothing costs oi no descriptor and no thread until the kernel gives up
 * waiting (after about a second and a SYN-ACK resent).
 *
 * <p>setsockopt(2) is called through the Foreign Function &amp; Memory API, with the socket's
 * descriptor from the JDK's channel ({@code sun.nio.ch}, opened by the jar's manifest, as for
 * {@link Splice}); without either the rule accepts at once and {@link #unavailable} says why.
 */
final class DeferAccept {
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_DEFER_ACCEPT = 9;
    /** Seconds the kernel waits for the first bytes: haproxy's one, so a silent client is seen soon. */
    private static final int SECONDS = 1;

    private static final Native.Loaded<Natives> NATIVES = Native.load(Natives::load, "TCP_DEFER_ACCEPT cannot be set (run oi"
            + " as bin/oi does, with java -jar, or add --add-opens java.base/sun.nio.ch=ALL-UNNAMED)");

    /** setsockopt(2) and the JDK's descriptor of a channel, looked up once. */
    private record Natives(MethodHandle setsockopt, MethodHandle fdVal) {
        static Natives load() throws ReflectiveOperationException {
            return new Natives(Native.function("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT)), Native.descriptorOfChannel());
        }
    }

    private DeferAccept() {
    }

    /** Why a listening socket cannot defer its accepts in this JVM, or null when it can. */
    static String unavailable() {
        return NATIVES.unavailable();
    }

    /**
     * Makes {@code server}, a bound TCP socket, hand over connections only once they have bytes
     * ({@code on}), or at once again ({@code !on}, for a rule that a reload took {@code acceptproxy=} from).
     */
    static void apply(ServerSocketChannel server, boolean on) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seconds = arena.allocateFrom(ValueLayout.JAVA_INT, on ? SECONDS : 0);
            Natives natives = NATIVES.value();
            int fd = (int) natives.fdVal().invokeExact((Object) server);
            int length = (int) ValueLayout.JAVA_INT.byteSize();
            if ((int) natives.setsockopt().invokeExact(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, seconds, length) != 0) {
                throw new IOException("setsockopt(TCP_DEFER_ACCEPT) failed");
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("setsockopt(TCP_DEFER_ACCEPT): " + e, e);
        }
    }
}
