package oi.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * {@code --io hybrid}: a request or a reply goes through a small buffer of the pump's own,
 * since a pipe costs more than a copy of a few hundred bytes, and a bulk transfer through
 * splice. Reads move to splice once one fills the small buffer, and back once a splice moves
 * no more than it holds. Each switch comes after a write, when the small buffer and the pipe
 * are both empty, so the bytes stay in order.
 */
final class HybridIo implements Pump.Io {
    private final SocketChannel from;
    private final SocketChannel to;
    private final ByteBuffer small = ByteBuffer.allocate(BufferPool.SMALL);
    private final Pump.Io bulk;
    private boolean splicing;
    private long spliced;

    HybridIo(SocketChannel from, SocketChannel to, Pump.Io bulk) {
        this.from = from;
        this.to = to;
        this.bulk = bulk;
    }

    @Override
    public long read() throws IOException {
        if (splicing ? spliced <= BufferPool.SMALL : small.position() == small.capacity()) {
            splicing = !splicing;
            small.clear(); // so that coming back, only a new full read counts
            spliced = Long.MAX_VALUE; // so that going over, the first splice decides
        }
        if (splicing) {
            spliced = bulk.read();
            return spliced;
        }
        small.clear();
        return from.read(small);
    }

    @Override
    public void write() throws IOException {
        if (splicing) {
            bulk.write();
            return;
        }
        small.flip();
        while (small.hasRemaining()) {
            to.write(small);
        }
        small.limit(small.capacity()); // position stays at the count read, for the next choice
    }

    @Override
    public boolean filled() {
        return splicing ? bulk.filled() : small.position() == small.capacity();
    }

    @Override
    public void inBulk() {
        if (splicing) {
            bulk.inBulk();
        }
    }

    @Override
    public void close() {
        bulk.close();
    }
}
