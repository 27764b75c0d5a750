package oi.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import oi.config.Endpoint;
import oi.log.Outcome;
import oi.runtime.Admission;
import oi.runtime.Completion;
import oi.runtime.Session;
import org.tinylog.Logger;

/**
 * One TCP client of a tcp→udp rule: its own UDP socket towards the backend, one thread sending
 * each read of the stream as one datagram (no framing, as rinetd), another writing each datagram
 * that comes back to the stream. Ends when the client closes its connection, or after the
 * rule's {@code timeout=} (rinetd's UDP session timeout) without a byte either way, since the
 * UDP side never says it is done.
 */
public final class TcpToUdpSession extends Session {
    private final SocketChannel client;
    private volatile DatagramChannel backend;

    /** The session of an accepted client, which it owns and closes from now on. */
    public TcpToUdpSession(Admission admission, SocketChannel client) {
        super(admission, Duration.ofSeconds(admission.rule().rule().options().udpTimeoutSeconds()).toNanos());
        this.client = client;
    }

    @Override
    protected Outcome forward() {
        if (remote(client) instanceof InetSocketAddress address) {
            Outcome refusal = rule().refusal(address.getAddress());
            if (refusal != null) {
                return refusal;
            }
        }
        try {
            SocketAddress target = rule().rule().connect().currentAddress();
            backend = DatagramChannel.open(Endpoint.familyOf(target));
            if (rule().rule().options().source() != null) {
                backend.bind(new InetSocketAddress(rule().rule().options().source(), 0));
            }
            backend.connect(target);
        } catch (IOException | RuntimeException e) {
            Logger.info("#{} backend {} failed: {}", id(), rule().rule().connect(), e.getMessage());
            return Outcome.LOCAL_CONNECT_FAILED;
        }
        Completion replies = new Completion();
        context().threads().start("oi-pump #" + id() + " b→c", () -> {
            try {
                datagramsToStream();
            } finally {
                replies.done();
            }
        });
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(context().settings().bufferSize(), 65_507)); // one read, one datagram
        try {
            while (client.read(buffer.clear()) >= 0) {
                int n = buffer.flip().remaining();
                backend.write(buffer);
                countIn(n);
            }
        } catch (IOException e) {
            Logger.debug("#{} {}", id(), e.getMessage());
        }
        abort(); // the client is gone: the reply direction has no one to write to
        replies.await(); // so that its last count makes the log line
        return expired() ? Outcome.IDLE_TIMEOUT : Outcome.DONE_REMOTE_CLOSED;
    }

    /** The reply direction: ends when the backend socket is closed, which the session's end does. */
    private void datagramsToStream() {
        ByteBuffer datagram = ByteBuffer.allocate(UdpListener.MAX_DATAGRAM);
        try {
            while (backend.receive(datagram.clear()) != null) {
                datagram.flip();
                int n = datagram.remaining();
                while (datagram.hasRemaining()) {
                    client.write(datagram);
                }
                countOut(n);
            }
        } catch (IOException e) {
            abort(); // the client cannot take replies any more: end the other direction too
        }
    }

    @Override
    protected boolean idleCounts() {
        return backend != null;
    }

    @Override
    protected void closeIdle() {
        closeSockets();
    }

    @Override
    public void abort() {
        closeSockets();
    }

    @Override
    protected void closeSockets() {
        for (Channel channel : new Channel[] {client, backend}) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing: nothing more to release
                }
            }
        }
    }

    private static SocketAddress remote(SocketChannel channel) {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }
}
