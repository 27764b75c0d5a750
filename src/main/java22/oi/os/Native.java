package oi.os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;

/**
 * What oi's JDK 22 code needs outside Java's public API, in one place: C functions through the
 * Foreign Function &amp; Memory API, their {@code errno}, and the descriptor of a JDK channel
 * ({@code sun.nio.ch}, opened by the jar's manifest). Its users ({@code --io splice},
 * {@code --poller oi}, systemd readiness, deferred accepts) each load what they call once and,
 * when that fails, fall back to public API with the one-line reason {@link #load} gives.
 */
public final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    /** Makes a downcall save {@code errno} into a segment of {@link #CALL_STATE}, passed as its first argument. */
    public static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    /** The layout of the segment a call made with {@link #ERRNO} saves into. */
    public static final MemoryLayout CALL_STATE = Linker.Option.captureStateLayout();
    /** Reads the saved {@code errno} of a {@link #CALL_STATE} segment: {@code (int) ERRNO_OF.get(state, 0L)}. */
    public static final VarHandle ERRNO_OF = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private Native() {
    }

    /** What a {@link Loader} found: its value, or (value null) the reason it could not. */
    public record Loaded<T>(T value, String unavailable) {
    }

    /** Looks up natives and JDK internals, failing when one is missing or closed. */
    @FunctionalInterface
    public interface Loader<T> {
        /** The natives, or an exception saying which one is missing. */
        T load() throws ReflectiveOperationException;
    }

    /** Runs {@code loader} once; a failure becomes {@code why}, a colon and the exception. */
    public static <T> Loaded<T> load(Loader<T> loader, String why) {
        try {
            return new Loaded<>(loader.load(), null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new Loaded<>(null, why + ": " + e);
        }
    }

    /** A downcall handle of the C library's {@code name}; pass {@link #ERRNO} to have it save errno. */
    public static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, options);
    }

    /** A private method of the JDK, opened; its receiver typed as Object, so callers need not name the JDK's class. */
    public static MethodHandle jdkMethod(Method method) throws IllegalAccessException {
        method.setAccessible(true);
        MethodHandle handle = MethodHandles.lookup().unreflect(method);
        return method.getParameterCount() < handle.type().parameterCount()
                ? handle.asType(handle.type().changeParameterType(0, Object.class)) : handle;
    }

    /** {@code (Object channel) -> int}: the file descriptor of a JDK socket or server socket channel. */
    public static MethodHandle descriptorOfChannel() throws ReflectiveOperationException {
        return jdkMethod(Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal"));
    }
}
