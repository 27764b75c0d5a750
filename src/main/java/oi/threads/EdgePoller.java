package oi.threads;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * {@code --poller oi} on JDK 21, which has no final Foreign Function &amp; Memory API: it only says
 * why it cannot run, and the JDK's pollers wake every thread.
 *
 * <p>This file is compiled for JDK 21; the working version, {@code src/main/java22/oi/threads/EdgePoller.java},
 * goes to the multi-release jar's {@code META-INF/versions/22/}. Both keep the same name and members.
 */
public final class EdgePoller {

    private EdgePoller() {
    }

    /** Why {@code --poller oi} cannot run in this JVM, or null when it can. */
    public static String unavailable() {
        return "--poller oi needs JDK 22 or later, run from oi's multi-release jar (this is JDK " + Runtime.version().feature() + ")";
    }

    /** Never returns on JDK 21: {@link #unavailable} is checked first. */
    public static EdgePoller shared() throws IOException {
        throw new UnsupportedOperationException(unavailable());
    }

    /** Never returns on JDK 21. */
    public Watch watch(SocketChannel channel, SocketChannel partner) {
        throw new UnsupportedOperationException(unavailable());
    }

    /** Never returns on JDK 21. */
    public Watch connect(SocketChannel channel, SocketAddress address) throws IOException {
        throw new UnsupportedOperationException(unavailable());
    }

    /** Nothing is watched on JDK 21. */
    public static void closed(SocketChannel channel) {
    }

    /** No thread is one of these pollers on JDK 21. */
    static boolean isPoller(Thread thread) {
        return false;
    }

    /** A socket on one poller; none exist on JDK 21. */
    public static final class Watch {
        private Watch() {
        }

        /** The read edges so far. */
        public long readEdges() {
            return 0;
        }

        /** The write edges so far. */
        public long writeEdges() {
            return 0;
        }

        /** Never called on JDK 21. */
        public void awaitReadable(long seen) throws IOException {
            throw new UnsupportedOperationException(unavailable());
        }

        /** Never called on JDK 21. */
        public void awaitWritable(long seen) throws IOException {
            throw new UnsupportedOperationException(unavailable());
        }

        /** Nothing is in epoll on JDK 21. */
        public void quiet() {
        }

        /** Nothing to let go of on JDK 21. */
        public void release() {
        }
    }
}
