package oi.tcp;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.tinylog.Logger;

/**
 * The JVM's limits on buffer memory, from which the default {@code --buffer-memory} is derived:
 * half of what the JVM would let the pooled buffers take, so that the JDK's own temporary
 * buffers and the sockets' small ones keep room.
 *
 * <p>The direct-memory limit is read from the JDK's {@code jdk.internal.misc.VM} (opened by the
 * jar's manifest), because the public route, the HotSpot diagnostic MXBean, starts the
 * management machinery, which costs a start measurably (docs/experiments.md); without the opening it takes
 * the public route and says so once.
 */
public final class MemoryLimits {
    private static final MethodHandle MAX_DIRECT = internalMaxDirect();

    private MemoryLimits() {
    }

    /** The default {@code --buffer-memory}: half of the JVM's limit for direct (channel) or heap (stream) buffers. */
    public static long defaultBudget(boolean direct) {
        return (direct ? maxDirectMemory() : Runtime.getRuntime().maxMemory()) / 2;
    }

    /** The most direct memory the JVM allows ({@code -XX:MaxDirectMemorySize}, by default the heap's maximum). */
    public static long maxDirectMemory() {
        if (MAX_DIRECT != null) {
            try {
                return (long) MAX_DIRECT.invokeExact();
            } catch (Throwable e) {
                // fall through to the public route
            }
        }
        return publicMaxDirectMemory();
    }

    /** The same limit through public API only, for JVMs that do not open the JDK's own. */
    static long publicMaxDirectMemory() {
        try {
            String value = java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxDirectMemorySize").getValue();
            long bytes = Long.parseLong(value);
            return bytes > 0 ? bytes : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException | LinkageError e) { // no jdk.management in a trimmed runtime
            return Runtime.getRuntime().maxMemory(); // the JDK's default, right unless -XX:MaxDirectMemorySize says otherwise
        }
    }

    /** Whether the fast, internal route is open in this JVM. */
    static boolean internalRoute() {
        return MAX_DIRECT != null;
    }

    private static MethodHandle internalMaxDirect() {
        try {
            Class<?> vm = Class.forName("jdk.internal.misc.VM");
            return MethodHandles.lookup().findStatic(vm, "maxDirectMemory", MethodType.methodType(long.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            Logger.info("the JDK's direct-memory limit is not exported to oi (run it with java -jar, or add --add-exports "
                    + "java.base/jdk.internal.misc=ALL-UNNAMED): reading it through the management API instead");
            return null;
        }
    }
}
