package oi.tcp;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.nio.channels.SocketChannel;
import oi.os.Native;

/**
 * What {@link Splice} calls outside public API, looked up once: splice(2), pipe2(2) and close(2)
 * through the Foreign Function &amp; Memory API, and the JDK's private channel hooks
 * ({@code sun.nio.ch}, opened by the jar's manifest) that let a splice block, wake and close
 * exactly as a channel read does. Compiled for JDK 22 and later only, like {@link Splice}.
 */
record SpliceHooks(MethodHandle splice, MethodHandle pipe2, MethodHandle closeFd, MethodHandle fdValue, MethodHandle parkOn,
                   MethodHandle beginRead, MethodHandle endRead, MethodHandle beginWrite, MethodHandle endWrite,
                   MethodHandle nonBlock, int pollIn, int pollOut) {

    static SpliceHooks load() throws ReflectiveOperationException {
        MethodHandle splice = Native.function("splice", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), Native.ERRNO);
        MethodHandle pipe2 = Native.function("pipe2", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT));
        MethodHandle close = Native.function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        Class<?> channel = Class.forName("sun.nio.ch.SocketChannelImpl");
        Class<?> selectable = Class.forName("sun.nio.ch.SelChImpl");
        Class<?> net = Class.forName("sun.nio.ch.Net");
        Class<?> io = Class.forName("sun.nio.ch.IOUtil");
        MethodHandle getFd = Native.jdkMethod(selectable.getMethod("getFD"));
        MethodHandle nonBlock = MethodHandles.filterArguments(
                MethodHandles.insertArguments(Native.jdkMethod(io.getDeclaredMethod("configureBlocking", FileDescriptor.class,
                        boolean.class)), 1, false), 0, getFd);
        Field pollIn = net.getDeclaredField("POLLIN");
        Field pollOut = net.getDeclaredField("POLLOUT");
        pollIn.setAccessible(true);
        pollOut.setAccessible(true);
        return new SpliceHooks(splice, pipe2, close, Native.descriptorOfChannel(),
                Native.jdkMethod(selectable.getMethod("park", int.class)),
                Native.jdkMethod(channel.getDeclaredMethod("beginRead", boolean.class)),
                Native.jdkMethod(channel.getDeclaredMethod("endRead", boolean.class, boolean.class)),
                Native.jdkMethod(channel.getDeclaredMethod("beginWrite", boolean.class)),
                Native.jdkMethod(channel.getDeclaredMethod("endWrite", boolean.class, boolean.class)), nonBlock,
                pollIn.getShort(null), pollOut.getShort(null));
    }

    int fdVal(SocketChannel channel) throws IOException {
        try {
            return (int) fdValue.invoke((Object) channel);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    void nonBlocking(SocketChannel channel) throws IOException {
        try {
            nonBlock.invoke((Object) channel);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    void park(SocketChannel channel, int event) throws IOException {
        try {
            parkOn.invoke((Object) channel, event);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    void begin(MethodHandle hook, SocketChannel channel) throws IOException {
        try {
            hook.invoke((Object) channel, true);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    void end(MethodHandle hook, SocketChannel channel, boolean completed) throws IOException {
        try {
            hook.invoke((Object) channel, true, completed);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    void close(int fd) {
        try {
            int ignored = (int) closeFd.invokeExact(fd);
        } catch (Throwable e) {
            // a pipe that cannot be closed is already gone
        }
    }

    private static IOException rethrow(Throwable e) {
        if (e instanceof IOException io) {
            return io;
        }
        if (e instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (e instanceof Error error) {
            throw error;
        }
        return new IOException(e);
    }
}
