package oi.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import oi.acl.AddressPattern;
import oi.log.Outcome;
import oi.runtime.ActiveRule;
import oi.runtime.Context;
import oi.runtime.Session;
import oi.runtime.SessionStatus;
import oi.stats.RuleStats;

/**
 * One client of a UDP rule: its backend (a connected datagram socket, or a TCP connection for a
 * udp→tcp rule), its byte counts and its last activity. A client refused by the access rules
 * gets a session without a backend, so its datagrams are dropped and logged once, not once each.
 *
 * <p>Ends exactly once — on its {@code timeout=} (checked by the process's one sweeper thread),
 * when a TCP backend closes, when evicted to make room, or at stop — and then logs its line.
 */
final class UdpSession implements Session {

    /** Where a session sends its client's datagrams, and what it closes when it ends. */
    interface Backend extends AutoCloseable {
        /** Sends one datagram's payload on towards the backend. */
        void send(ByteBuffer payload) throws IOException;

        /** The backend's address, which its replies must come from. */
        java.net.SocketAddress address();

        @Override
        void close() throws IOException;
    }

    private final long id;
    private final InetSocketAddress client;
    private final ActiveRule active;
    private final Context context;
    private final RuleStats stats;
    private final Outcome refusal;
    private final Runnable onEnd;
    private final long timeoutNanos;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Backend backend;
    private volatile long lastActivityNanos = startNanos;
    private volatile long bytesIn;
    private volatile long bytesOut;

    UdpSession(long id, InetSocketAddress client, ActiveRule active, Context context, RuleStats stats, Outcome refusal,
               Runnable onEnd) {
        this.id = id;
        this.client = client;
        this.active = active;
        this.context = context;
        this.stats = stats;
        this.refusal = refusal;
        this.onEnd = onEnd;
        this.timeoutNanos = Duration.ofSeconds(active.rule().options().udpTimeoutSeconds()).toNanos();
        stats.opened();
        context.live().add(this);
    }

    /** Attaches the backend once it is open; a session that ended meanwhile closes it at once. */
    void attach(Backend opened) {
        backend = opened;
        if (ended.get()) {
            closeQuietly(opened);
        }
    }

    /** The rule this session was opened under. */
    ActiveRule rule() {
        return active;
    }

    /** Whether the access rules refused this client: its datagrams are dropped. */
    boolean refused() {
        return refusal != null;
    }

    /** The address replies must come from, or null while the backend is not open. */
    java.net.SocketAddress backendAddress() {
        Backend opened = backend;
        return opened == null ? null : opened.address();
    }

    /** The client this session serves. */
    InetSocketAddress client() {
        return client;
    }

    /** The id that names this session's threads and log lines. */
    long id() {
        return id;
    }

    /** Forwards one datagram from the client, or drops it for a refused client; a failed send ends the session. */
    void fromClient(ByteBuffer datagram) {
        touch();
        if (refusal != null || backend == null) {
            return;
        }
        // Counted before the hand-off: a udp->tcp backend may answer and close, and the session be
        // logged, before this thread runs again. Only the listener's receiver thread counts this way.
        bytesIn += datagram.remaining();
        try {
            backend.send(datagram);
        } catch (IOException e) {
            end(Outcome.LOCAL_CONNECT_FAILED);
        }
    }

    /** Counts a reply sent to the client; only the one thread reading this session's backend calls it. */
    void toClient(int n) {
        touch();
        bytesOut += n;
    }

    private void touch() {
        lastActivityNanos = System.nanoTime();
    }

    @Override
    public void expireIfIdle(long nowNanos) {
        if (nowNanos - lastActivityNanos > timeoutNanos) {
            end(refusal != null ? refusal : Outcome.IDLE_TIMEOUT);
        }
    }

    @Override
    public void abort() {
        end(refusal != null ? refusal : Outcome.DONE_REMOTE_CLOSED);
    }

    /** Closes the backend, leaves the session table and the registry, and logs; only the first call counts. */
    void end(Outcome outcome) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(backend);
        onEnd.run();
        context.ended(stats, AddressPattern.canonicalText(client.getAddress()), active.rule(),
                refusal != null ? refusal : outcome, startNanos, bytesIn, bytesOut, true);
        context.live().remove(this);
    }

    @Override
    public SessionStatus status() {
        return new SessionStatus(id, active.rule().toString(),
                AddressPattern.canonicalText(client.getAddress()) + ":" + client.getPort(), active.rule().connect().toString(),
                Duration.ofNanos(System.nanoTime() - startNanos), bytesIn, bytesOut);
    }

    private static void closeQuietly(Backend backend) {
        if (backend != null) {
            try {
                backend.close();
            } catch (IOException e) {
                // nothing more to release
            }
        }
    }
}
