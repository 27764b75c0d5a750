package oi.tcp;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import oi.threads.EdgePoller;

/**
 * {@code --io splice} on JDK 21, which has no final Foreign Function &amp; Memory API: it only says
 * why it cannot run.
 *
 * <p>This file is compiled for JDK 21 and is the jar's {@code oi/tcp/Splice.class}. The working
 * version, {@code src/main/java22/oi/tcp/Splice.java}, is compiled for JDK 22 into the
 * multi-release jar's {@code META-INF/versions/22/}, which a JDK 22 or later loads in place of
 * this one. Both must keep the same name and members.
 */
public final class Splice implements Pump.Io {

    private Splice() {
    }

    /** Why {@code --io splice} cannot run in this JVM, or null when it can. */
    public static String unavailable() {
        return "--io splice and hybrid need JDK 22 or later, run from oi's multi-release jar (this is JDK " + Runtime.version().feature() + ")";
    }

    /** Never returns on JDK 21: {@link #unavailable} is checked before any pump starts. */
    static Splice between(SocketChannel from, SocketChannel to, int chunk, EdgePoller poller) throws IOException {
        throw new UnsupportedOperationException(unavailable());
    }

    /** Pipes kept open for the next transfer: none without splice. */
    static int idlePipes() {
        return 0;
    }

    @Override
    public long read() throws IOException {
        throw new UnsupportedOperationException(unavailable());
    }

    @Override
    public void write() throws IOException {
        throw new UnsupportedOperationException(unavailable());
    }

    @Override
    public boolean filled() {
        return false;
    }

    @Override
    public void close() {
    }
}
