package oi.udp;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import oi.balance.Attempt;
import oi.balance.Backends;
import oi.balance.ConnectFailure;
import oi.balance.Outbound;
import oi.live.Shared;
import oi.report.Outcome;
import oi.rules.ActiveRule;
import oi.rules.Endpoint;
import org.tinylog.Logger;

/**
 * The TCP connection of a udp→tcp session, with the design's two threads: one connects and
 * writes each datagram's payload to the stream, the other reads the stream and sends what it
 * reads back to the client as datagrams (one read, one datagram: no framing, as rinetd).
 *
 * <p>Datagrams that arrive while the connection is still being made wait in a small queue;
 * past it they are dropped, as a network may drop them.
 */
final class StreamBackend implements UdpSession.Backend {
    private static final int QUEUED_DATAGRAMS = 64;
    private static final ByteBuffer CLOSED = ByteBuffer.allocate(0);

    private final UdpSession session;
    private final ActiveRule rule;
    private final Backends backends;
    private final Shared shared;
    private final DatagramChannel server;
    private final BlockingQueue<ByteBuffer> outbox = new ArrayBlockingQueue<>(QUEUED_DATAGRAMS);
    private volatile SocketChannel channel;

    private StreamBackend(UdpSession session, ActiveRule rule, Backends backends, Shared shared, DatagramChannel server) {
        this.session = session;
        this.rule = rule;
        this.backends = backends;
        this.shared = shared;
        this.server = server;
    }

    /** Starts connecting for the session; datagrams may be sent at once. */
    static StreamBackend start(UdpSession session, ActiveRule rule, Backends backends, Shared shared, DatagramChannel server) {
        StreamBackend backend = new StreamBackend(session, rule, backends, shared, server);
        shared.threads().start("oi-udp #" + session.id() + " c→b", backend::connectAndWrite);
        return backend;
    }

    @Override
    public java.net.SocketAddress address() {
        SocketChannel opened = channel;
        try {
            return opened == null ? null : opened.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void send(ByteBuffer payload) {
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip(); // the receiver reuses its buffer
        if (!outbox.offer(copy)) {
            Logger.debug("#{} backend {} is slow: datagram dropped", session.id(), rule.rule().connect());
        }
    }

    private void connectAndWrite() {
        switch (backends.open(session.id(), session.client().getAddress(), this::connect, () -> true)) {
            case Attempt.Opened<SocketChannel> opened -> session.served(opened.backend());
            case Attempt.Failed<SocketChannel> failed -> {
                session.end(failed.outcome());
                return;
            }
        }
        shared.threads().start("oi-udp #" + session.id() + " b→c", this::readReplies);
        try {
            while (true) {
                ByteBuffer payload = outbox.take();
                if (payload == CLOSED) {
                    return;
                }
                while (payload.hasRemaining()) {
                    channel.write(payload);
                }
            }
        } catch (IOException e) {
            session.end(Outcome.DONE_LOCAL_CLOSED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A TCP connection to one backend, from {@code src=} if given, under {@code --connect-timeout}. */
    private SocketChannel connect(Endpoint backend) throws ConnectFailure {
        Outbound<SocketChannel> outbound = Outbound.open(backend, rule.rule().options().source(), SocketChannel::open);
        SocketChannel opened = outbound.channel();
        channel = opened; // close() now reaches it
        try {
            opened.socket().connect(outbound.address(), (int) shared.settings().connectTimeout().toMillis());
            opened.socket().setTcpNoDelay(true);
            return opened;
        } catch (IOException | RuntimeException e) {
            UdpSession.closeQuietly(opened);
            throw new ConnectFailure(Outcome.LOCAL_CONNECT_FAILED, String.valueOf(e.getMessage()));
        }
    }

    private void readReplies() {
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(shared.settings().bufferSize(), 65_507)); // one read, one datagram
        try {
            while (channel.read(buffer.clear()) >= 0) {
                int n = buffer.flip().remaining();
                server.send(buffer, session.client());
                session.toClient(n);
            }
            session.end(Outcome.DONE_LOCAL_CLOSED);
        } catch (IOException e) {
            session.end(Outcome.DONE_LOCAL_CLOSED);
        }
    }

    @Override
    public void close() throws IOException {
        outbox.clear();
        outbox.offer(CLOSED);
        SocketChannel opened = channel;
        if (opened != null) {
            opened.close();
        }
    }
}
