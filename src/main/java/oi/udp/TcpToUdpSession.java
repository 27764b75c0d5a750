package oi.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import oi.log.Outcome;
import oi.runtime.ActiveRule;
import oi.runtime.Context;
import oi.runtime.ConnectionSession;
import oi.stats.RuleStats;
import org.tinylog.Logger;

/**
 * One TCP client of a tcp→udp rule: its own UDP socket towards the backend, one thread sending
 * each read of the stream as one datagram (no framing, as rinetd), another writing each datagram
 * that comes back to the stream. Ends when the client closes its connection, or after the
 * rule's {@code timeout=} (rinetd's UDP session timeout) without a byte either way, since the
 * UDP side never says it is done.
 */
public final class TcpToUdpSession implements ConnectionSession {
    private final long id;
    private final SocketChannel client;
    private final String clientText;
    private final ActiveRule active;
    private final Context context;
    private final RuleStats stats;
    private final Runnable release;
    private final long startNanos = System.nanoTime();
    private volatile DatagramChannel backend;
    private volatile long bytesIn;
    private volatile long bytesOut;
    private volatile long lastActivityNanos = startNanos;
    private volatile boolean expired;

    /** A session for an accepted client; {@code release} gives its connection-limit slots back. */
    public TcpToUdpSession(long id, SocketChannel client, String clientText, ActiveRule active, Context context,
                           RuleStats stats, Runnable release) {
        this.id = id;
        this.client = client;
        this.clientText = clientText;
        this.active = active;
        this.context = context;
        this.stats = stats;
        this.release = release;
    }

    @Override
    public void run() {
        stats.opened();
        Outcome outcome;
        try {
            outcome = forward();
        } finally {
            abort();
            release.run();
        }
        context.ended(stats, clientText, active.rule(), outcome, startNanos, bytesIn, bytesOut, true);
        context.live().remove(this);
    }

    private Outcome forward() {
        try {
            if (client.getRemoteAddress() instanceof InetSocketAddress address) {
                Outcome refusal = active.refusal(address.getAddress());
                if (refusal != null) {
                    return refusal;
                }
            }
            backend = DatagramChannel.open();
            if (active.rule().options().source() != null) {
                backend.bind(new InetSocketAddress(active.rule().options().source(), 0));
            }
            backend.connect(active.rule().connect().currentAddress());
        } catch (IOException e) {
            Logger.info("#{} backend {} failed: {}", id, active.rule().connect(), e.getMessage());
            return Outcome.LOCAL_CONNECT_FAILED;
        }
        Thread replies = context.settings().threads().start("oi-pump #" + id + " b→c", this::datagramsToStream);
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(context.settings().bufferSize(), 65_507)); // one read, one datagram
        try {
            while (client.read(buffer.clear()) >= 0) {
                int n = buffer.flip().remaining();
                backend.write(buffer);
                bytesIn += n;
                lastActivityNanos = System.nanoTime();
            }
        } catch (IOException e) {
            Logger.debug("#{} {}", id, e.getMessage());
        }
        abort(); // the client is gone: the reply thread has no one to write to
        try {
            replies.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return expired ? Outcome.IDLE_TIMEOUT : Outcome.DONE_REMOTE_CLOSED;
    }

    private void datagramsToStream() {
        ByteBuffer datagram = ByteBuffer.allocate(UdpListener.MAX_DATAGRAM);
        try {
            while (backend.receive(datagram.clear()) != null) {
                datagram.flip();
                int n = datagram.remaining();
                while (datagram.hasRemaining()) {
                    client.write(datagram);
                }
                bytesOut += n;
                lastActivityNanos = System.nanoTime();
            }
        } catch (IOException e) {
            abort();
        }
    }

    @Override
    public void expireIfIdle(long nowNanos) {
        int timeoutSeconds = active.rule().options().udpTimeoutSeconds();
        if (backend != null && timeoutSeconds > 0 && nowNanos - lastActivityNanos > Duration.ofSeconds(timeoutSeconds).toNanos()) {
            expired = true;
            abort();
        }
    }

    @Override
    public void abort() {
        for (java.nio.channels.Channel channel : new java.nio.channels.Channel[] {client, backend}) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing: nothing more to release
                }
            }
        }
    }
}
