package oi.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import oi.settings.IoMode;

/**
 * {@code --io stream} and {@code --io channel}: reads into a small buffer of the pump's own,
 * and into a pooled full-size one only while reads fill the small one. A pump under a
 * bandwidth limit reads into a buffer of its own of one batch, and never borrows.
 */
final class BufferedIo implements Pump.Io {
    private final SocketChannel from;
    private final SocketChannel to;
    private final InputStream in;
    private final OutputStream out;
    private final BufferPool pool;
    private final ByteBuffer own;
    private ByteBuffer buffer;

    BufferedIo(SocketChannel from, SocketChannel to, IoMode mode, BufferPool pool) {
        this.from = from;
        this.to = to;
        this.in = mode == IoMode.STREAM ? Channels.newInputStream(from) : null;
        this.out = mode == IoMode.STREAM ? Channels.newOutputStream(to) : null;
        this.pool = pool;
        this.own = pool.own();
        this.buffer = own;
    }

    /** A limited pump's: channel reads into a buffer of {@code batch} bytes of its own, no pool. */
    BufferedIo(SocketChannel from, SocketChannel to, int batch) {
        this.from = from;
        this.to = to;
        this.in = null;
        this.out = null;
        this.pool = null;
        this.own = ByteBuffer.allocateDirect(batch);
        this.buffer = own;
    }

    @Override
    public long read() throws IOException {
        if (pool != null) { // a limited pump has none: its one buffer is its own
            chooseBuffer();
        }
        buffer.clear();
        int n;
        if (in != null) { // java.io streams over the buffer's heap array
            n = in.read(buffer.array(), 0, buffer.capacity());
            buffer.position(Math.max(n, 0));
        } else { // straight from a direct buffer when it is one
            n = from.read(buffer);
        }
        return n;
    }

    private void chooseBuffer() {
        if (buffer == own && !own.hasRemaining() && pool.lends()) {
            ByteBuffer loan = pool.borrow(); // the last read filled the small buffer: a bulk transfer
            buffer = loan != null ? loan : own; // none within the budget: go on small
        } else if (buffer != own && buffer.position() > 0 && buffer.position() <= BufferPool.SMALL) {
            pool.giveBack(buffer); // quiet again: keep only the small buffer
            buffer = own;
        }
    }

    @Override
    public boolean filled() {
        return buffer.position() == buffer.capacity(); // write() leaves the position at the count read
    }

    @Override
    public void write() throws IOException {
        buffer.flip();
        if (out != null) {
            out.write(buffer.array(), 0, buffer.limit());
            buffer.position(buffer.limit());
        } else {
            while (buffer.hasRemaining()) {
                to.write(buffer);
            }
        }
        buffer.limit(buffer.capacity()); // position stays at the count read, for the next choice
    }

    @Override
    public void close() {
        if (buffer != own) {
            pool.giveBack(buffer);
        }
    }
}
