package oi.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import oi.balance.Attempt;
import oi.balance.BackendState;
import oi.balance.ConnectFailure;
import oi.balance.Outbound;
import oi.live.Admission;
import oi.live.Session;
import oi.live.SessionStatus;
import oi.live.Shared;
import oi.live.Traffic;
import oi.report.Outcome;
import oi.rules.AccessList.Verdict;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;
import oi.threads.Completion;
import org.tinylog.Logger;

/**
 * One TCP client of a tcp→udp rule: its own UDP socket towards the backend, one thread sending
 * each read of the stream as one datagram (no framing, as rinetd), another writing each datagram
 * that comes back to the stream. Ends when the client closes its connection, or after the
 * rule's {@code timeout=} (rinetd's UDP session timeout) without a byte either way, since the
 * UDP side never says it is done.
 */
public final class TcpToUdpSession implements Session {
    private final Admission admission;
    private final SocketChannel client;
    private final Shared shared;
    private final long timeoutNanos;
    private final Traffic traffic = new Traffic();
    private volatile DatagramChannel backend;
    private volatile Endpoint serving;
    private volatile boolean timedOut;
    private BackendState served;

    /** The session of an admitted client, whose socket and slot it owns from now on. */
    public TcpToUdpSession(Admission admission, Shared shared) {
        this.admission = admission;
        this.client = admission.client();
        this.shared = shared;
        this.timeoutNanos = Duration.ofSeconds(admission.rule().rule().options().udpTimeoutSeconds()).toNanos();
        this.serving = admission.rule().rule().connect();
    }

    /** Registers the session and runs it on a thread of its own, as {@code TcpSession.start} does. */
    public void start() {
        shared.live().add(this);
        shared.report().opened(admission.stats(), admission.rule().rule(), admission.clientText());
        try {
            shared.threads().start("oi-pump #" + id() + " c→b", this::run);
        } catch (OutOfMemoryError | RuntimeException e) {
            Logger.error("#{} cannot start a thread: {}", id(), e.toString());
            finish(Outcome.LOCAL_SOCKET_FAILED);
        }
    }

    private void run() {
        Outcome outcome = Outcome.INTERNAL_ERROR;
        try {
            outcome = forward();
        } catch (Throwable e) { // a bug or an Error ends this session only, cleanly
            Logger.error("#{} {} failed: {}", id(), admission.clientText(), e.toString());
        } finally {
            finish(outcome);
        }
    }

    /** Closes both sockets, gives the slot back, writes the one report and leaves the registry. */
    private void finish(Outcome outcome) {
        closeSockets();
        if (served != null) {
            served.release();
        }
        admission.slot().close();
        try {
            shared.report().ended(admission.stats(), traffic.record(admission.clientText(), admission.rule().rule(), serving, outcome));
        } finally {
            shared.live().remove(this);
        }
    }

    private Outcome forward() {
        ForwardRule rule = admission.rule().rule();
        if (admission.peer() instanceof InetSocketAddress address) {
            Verdict verdict = admission.rule().admits(address.getAddress());
            if (verdict != Verdict.ALLOWED) {
                return Outcome.of(verdict);
            }
        }
        switch (admission.backends().open(id(), admission.clientAddress(), target -> open(target, rule), () -> true)) {
            case Attempt.Opened<DatagramChannel> opened -> served = opened.backend();
            case Attempt.Failed<DatagramChannel> failed -> {
                return failed.outcome();
            }
        }
        Completion replies = new Completion();
        shared.threads().start("oi-pump #" + id() + " b→c", () -> {
            try {
                datagramsToStream();
            } finally {
                replies.done();
            }
        });
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(shared.settings().bufferSize(), 65_507)); // one read, one datagram
        try {
            while (client.read(buffer.clear()) >= 0) {
                int n = buffer.flip().remaining();
                backend.write(buffer);
                traffic.countIn(n);
            }
        } catch (IOException e) {
            Logger.debug("#{} {}", id(), e.getMessage());
        }
        closeSockets(); // the client is gone: the reply direction has no one to write to
        replies.await(); // so that its last count makes the log line
        return timedOut ? Outcome.IDLE_TIMEOUT : Outcome.DONE_REMOTE_CLOSED;
    }

    /** A connected datagram socket towards one backend, from {@code src=} if given. */
    private DatagramChannel open(Endpoint target, ForwardRule rule) throws ConnectFailure {
        serving = target;
        Outbound<DatagramChannel> outbound = Outbound.open(target, rule.options().source(), DatagramChannel::open);
        backend = outbound.channel();
        try {
            return backend.connect(outbound.address());
        } catch (IOException | RuntimeException e) {
            UdpSession.closeQuietly(backend);
            throw new ConnectFailure(Outcome.LOCAL_CONNECT_FAILED, String.valueOf(e.getMessage()));
        }
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
                traffic.countOut(n);
            }
        } catch (IOException e) {
            closeSockets(); // the client cannot take replies any more: end the other direction too
        }
    }

    @Override
    public void sweep(long nowNanos) {
        // Idleness counts once the backend socket is open; before, the session is still starting.
        if (backend != null && !timedOut && traffic.idleLongerThan(timeoutNanos, nowNanos)) {
            timedOut = true;
            closeSockets();
        }
    }

    @Override
    public void abort() {
        closeSockets();
    }

    @Override
    public long id() {
        return admission.id();
    }

    @Override
    public SessionStatus status() {
        return admission.status(traffic, serving);
    }

    private void closeSockets() {
        try {
            client.close();
        } catch (IOException e) {
            // closing: nothing more to release
        }
        DatagramChannel opened = backend;
        if (opened != null) {
            try {
                opened.close();
            } catch (IOException e) {
                // closing: nothing more to release
            }
        }
    }
}
