package oi.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;

/**
 * One direction of a TCP connection: a blocking read from one socket into a buffer and a write
 * of the same bytes to the other, until end of stream. One class used twice, as rinetd calls
 * its handlers with {@code socket} and {@code other_socket} swapped.
 *
 * <p>Runs on one thread; the getters may be read from any other.
 */
final class Pump {
    private final Socket from;
    private final Socket to;
    private final int bufferSize;
    private volatile long bytes;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile boolean writing;
    private volatile boolean writeFailed;

    Pump(Socket from, Socket to, int bufferSize) {
        this.from = from;
        this.to = to;
        this.bufferSize = bufferSize;
    }

    /**
     * Copies until {@code from} reaches end of stream or a read or write fails. The caller
     * decides what an end means for the other socket (half-close or reset).
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
                writing = true;
                out.write(buffer, 0, n);
                writing = false;
                bytes += n; // only this thread writes; volatile so others may read a fresh count
            }
            return true;
        } catch (IOException e) {
            writeFailed = writing;
            writing = false;
            return false;
        }
    }

    /**
     * Whether a write of this pump failed, waiting up to {@code limitNanos} for one in flight.
     * A reset from the peer is reported to only one syscall: when this pump's write gets it, the
     * opposite pump's read of the same socket sees a plain end of stream, and must ask here
     * before passing that end on as a clean half-close.
     */
    boolean writeFailed(long limitNanos) {
        long deadline = System.nanoTime() + limitNanos;
        while (writing && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000);
        }
        return writeFailed;
    }

    /** The socket this pump writes to, which its end of stream half-closes. */
    Socket to() {
        return to;
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
