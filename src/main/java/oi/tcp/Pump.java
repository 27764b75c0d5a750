package oi.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * One direction of a TCP connection: a blocking read from one socket into a buffer and a write
 * of the same bytes to the other, until end of stream. One class used twice, as rinetd calls
 * its handlers with {@code socket} and {@code other_socket} swapped.
 *
 * <p>Runs on one thread; {@link #bytes()} may be read from any other.
 */
final class Pump {
    private final Socket from;
    private final Socket to;
    private final int bufferSize;
    private volatile long bytes;
    private volatile long lastActivityNanos = System.nanoTime();

    Pump(Socket from, Socket to, int bufferSize) {
        this.from = from;
        this.to = to;
        this.bufferSize = bufferSize;
    }

    /**
     * Copies until {@code from} reaches end of stream, then half-closes {@code to} so the peer
     * sees the same end while the opposite direction runs on.
     *
     * @return true on a clean end of stream, false when a read or write failed
     */
    boolean copy() {
        byte[] buffer = new byte[bufferSize];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                lastActivityNanos = System.nanoTime();
                out.write(buffer, 0, n);
                bytes += n; // only this thread writes; volatile so others may read a fresh count
            }
            to.shutdownOutput();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** When this direction last read bytes, for the idle sweeper. */
    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** Bytes written to {@code to} so far. */
    long bytes() {
        return bytes;
    }
}
