package oi.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;
import oi.runtime.BufferPool;
import oi.runtime.IoMode;

/**
 * One direction of a TCP connection: a blocking read from one socket into a buffer and a write
 * of the same bytes to the other, until end of stream. One class used twice, as rinetd calls
 * its handlers with {@code socket} and {@code other_socket} swapped.
 *
 * <p>A pump reads into a small buffer of its own and borrows a full-size one from the pool only
 * while reads fill the small one, so {@code --buffer} sets the ceiling of a read, not the memory
 * of an idle connection. Runs on one thread; the getters may be read from any other.
 */
final class Pump {
    private final SocketChannel from;
    private final SocketChannel to;
    private final IoMode mode;
    private final BufferPool pool;
    private volatile long bytes;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile boolean writing;
    private volatile boolean writeFailed;

    Pump(SocketChannel from, SocketChannel to, IoMode mode, BufferPool pool) {
        this.from = from;
        this.to = to;
        this.mode = mode;
        this.pool = pool;
    }

    /**
     * Copies until {@code from} reaches end of stream or a read or write fails. The caller
     * decides what an end means for the other socket (half-close or reset).
     *
     * @return true on a clean end of stream, false when a read or write failed
     */
    boolean copy() {
        ByteBuffer own = pool.lends() ? ByteBuffer.allocate(BufferPool.SMALL) : pool.borrow();
        ByteBuffer buffer = own;
        try {
            Io io = mode == IoMode.STREAM ? new StreamIo(from, to) : new ChannelIo(from, to);
            int n;
            while ((n = io.read(buffer.clear())) >= 0) {
                lastActivityNanos = System.nanoTime();
                writing = true;
                io.write(buffer.flip());
                writing = false;
                bytes += n; // only this thread writes; volatile so others may read a fresh count
                if (buffer == own && n == own.capacity() && pool.lends()) {
                    buffer = pool.borrow(); // a bulk transfer: read as much as --buffer allows
                } else if (buffer != own && n <= BufferPool.SMALL) {
                    pool.giveBack(buffer); // quiet again: keep only the small buffer
                    buffer = own;
                }
            }
            return true;
        } catch (IOException e) {
            writeFailed = writing;
            writing = false;
            return false;
        } finally {
            if (buffer != own || !pool.lends()) {
                pool.giveBack(buffer);
            }
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
    SocketChannel to() {
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

    /** One read and one write, in the style {@code --io} chose. */
    private interface Io {
        /** Reads into the cleared buffer; returns the count, or -1 at end of stream. */
        int read(ByteBuffer buffer) throws IOException;

        /** Writes the flipped buffer whole. */
        void write(ByteBuffer buffer) throws IOException;
    }

    /** {@code --io stream}: java.io streams over the buffer's heap array. */
    private static final class StreamIo implements Io {
        private final InputStream in;
        private final OutputStream out;

        StreamIo(SocketChannel from, SocketChannel to) {
            this.in = Channels.newInputStream(from);
            this.out = Channels.newOutputStream(to);
        }

        @Override
        public int read(ByteBuffer buffer) throws IOException {
            int n = in.read(buffer.array(), 0, buffer.capacity());
            buffer.position(Math.max(n, 0));
            return n;
        }

        @Override
        public void write(ByteBuffer buffer) throws IOException {
            out.write(buffer.array(), 0, buffer.limit());
        }
    }

    /** {@code --io channel}: channel reads and writes, straight from a direct buffer when it is one. */
    private record ChannelIo(SocketChannel from, SocketChannel to) implements Io {
        @Override
        public int read(ByteBuffer buffer) throws IOException {
            return from.read(buffer);
        }

        @Override
        public void write(ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                to.write(buffer);
            }
        }
    }
}
