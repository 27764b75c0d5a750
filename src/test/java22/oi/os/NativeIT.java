package oi.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The one door oi's JDK 22 code goes through to C and to the JDK's internals: a failed lookup
 * becomes the one-line reason its user logs before falling back, errno is saved, and a channel's
 * descriptor is the socket's. An IT because the class lives in the multi-release jar.
 */
class NativeIT {

    @Test
    void aLoaderThatFailsGivesNoValueAndItsReasonOnOneLine() {
        Native.Loaded<Object> loaded = Native.load(() -> {
            throw new ClassNotFoundException("sun.nio.ch.Gone");
        }, "--io splice cannot reach splice(2)");

        assertThat(loaded.value()).isNull();
        assertThat(loaded.unavailable())
                .isEqualTo("--io splice cannot reach splice(2): java.lang.ClassNotFoundException: sun.nio.ch.Gone")
                .doesNotContain("\n");
    }

    @Test
    void aFunctionTheCLibraryLacksIsAReasonNotAFailedStart() {
        Native.Loaded<MethodHandle> loaded = Native.load(() -> Native.function("oi_no_such_function", FunctionDescriptor.ofVoid()),
                "cannot reach it");

        assertThat(loaded.value()).isNull();
        assertThat(loaded.unavailable()).startsWith("cannot reach it: java.util.NoSuchElementException");
    }

    @Test
    void aLoaderThatWorksGivesItsValueAndNoReason() {
        Native.Loaded<MethodHandle> loaded = Native.load(() -> Native.function("getpid", FunctionDescriptor.of(ValueLayout.JAVA_INT)),
                "cannot reach getpid");

        assertThat(loaded.unavailable()).isNull();
        assertThat(loaded.value()).isNotNull();
    }

    @Test
    void aCallThatFailsLeavesItsErrno() throws Throwable {
        MethodHandle close = Native.function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Native.ERRNO);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.CALL_STATE);

            int result = (int) close.invokeExact(state, -1);

            assertThat(result).isEqualTo(-1);
            assertThat((int) Native.ERRNO_OF.get(state, 0L)).as("EBADF").isEqualTo(9);
        }
    }

    @Test
    void theDescriptorOfAChannelIsItsOpenSocket() throws Throwable {
        MethodHandle descriptor = Native.descriptorOfChannel();
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
            int serverFd = (int) descriptor.invokeExact((Object) server);
            int clientFd = (int) descriptor.invokeExact((Object) client);

            assertThat(serverFd).isNotEqualTo(clientFd);
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + serverFd)).toString()).startsWith("socket:[");
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + clientFd)).toString()).startsWith("socket:[");
        }
    }
}
