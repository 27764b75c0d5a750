package oi.tcp;

import java.nio.channels.ServerSocketChannel;

/**
 * {@code TCP_DEFER_ACCEPT} on JDK 21, which has no final Foreign Function &amp; Memory API to set
 * it: it only says why, and an {@code acceptproxy=} rule accepts every connection at once.
 *
 * <p>The working version, {@code src/main/java22/oi/tcp/DeferAccept.java}, replaces this one in
 * the multi-release jar on JDK 22 and later, as {@link Splice} does.
 */
final class DeferAccept {

    private DeferAccept() {
    }

    /** Why a listening socket cannot defer its accepts in this JVM, or null when it can. */
    static String unavailable() {
        return "TCP_DEFER_ACCEPT needs JDK 22 or later, run from oi's multi-release jar (this is JDK "
                + Runtime.version().feature() + ")";
    }

    /** Never succeeds on JDK 21: callers check {@link #unavailable} first. */
    static void apply(ServerSocketChannel server, boolean on) {
        throw new UnsupportedOperationException(unavailable());
    }
}
