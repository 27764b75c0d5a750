package oi.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import oi.balance.BackendState;
import oi.live.Session;
import oi.live.SessionStatus;
import oi.live.Traffic;
import oi.report.Outcome;
import oi.rules.AccessList.Verdict;
import oi.rules.ActiveRule;
import oi.rules.Endpoint;
import org.tinylog.Logger;

/**
 * One client of a UDP rule: its backend (an unconnected datagram socket, or a TCP connection for
 * a udp→tcp rule), opened off the receive thread while the first datagrams wait in a short
 * queue. A client refused by the access rules gets a session without a backend, so its
 * datagrams are dropped and logged once, not once each.
 *
 * <p>Driven by its listener's threads, not a thread of its own, and ended exactly once by
 * {@link #end} — on its {@code timeout=} (checked by the process's one sweeper thread), when a TCP
 * backend closes, when evicted to make room, or at stop — which then logs its line.
 */
final class UdpSession implements Session {
    /** Datagrams kept while the backend is still being opened; past it they are dropped, as a network may. */
    private static final int WAITING_DATAGRAMS = 64;

    /** Where a session sends its client's datagrams, and what it closes when it ends. */
    interface Backend extends AutoCloseable {
        /** Sends one datagram's payload on towards the backend. */
        void send(ByteBuffer payload) throws IOException;

        /** The backend's address, which its replies must come from. */
        SocketAddress address();

        @Override
        void close() throws IOException;
    }

    private final UdpListener listener;
    private final long id;
    private final InetSocketAddress client;
    private final ActiveRule rule;
    private final Verdict verdict;
    private final long timeoutNanos;
    private final Traffic traffic = new Traffic();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final Queue<ByteBuffer> waiting = new ArrayDeque<>();
    private volatile Backend backend;
    private volatile Endpoint serving;
    private final AtomicReference<BackendState> served = new AtomicReference<>();

    /** A session for a client's first datagram, checked against the rule's access lists now. */
    UdpSession(UdpListener listener, long id, InetSocketAddress client, ActiveRule rule) {
        this.listener = listener;
        this.id = id;
        this.client = client;
        this.rule = rule;
        this.verdict = rule.admits(client.getAddress());
        this.timeoutNanos = Duration.ofSeconds(rule.rule().options().udpTimeoutSeconds()).toNanos();
        this.serving = rule.rule().connect();
    }

    /** Notes the backend that took this session, which it gives back when the session ends. */
    void served(BackendState backend) {
        serving = backend.endpoint();
        served.set(backend);
        if (ended.get()) {
            release(); // ended meanwhile: end() may have looked before it was set
        }
    }

    private void release() {
        BackendState backend = served.getAndSet(null);
        if (backend != null) {
            backend.release();
        }
    }

    /** Attaches the opened backend and sends what waited for it, in order; a session that ended meanwhile closes it. */
    void attach(Backend opened) {
        boolean failed = false;
        lock.lock();
        try {
            for (ByteBuffer datagram; (datagram = waiting.poll()) != null; ) {
                opened.send(datagram);
            }
        } catch (IOException e) {
            failed = true;
        } finally {
            backend = opened; // published after the waiting datagrams: later ones cannot overtake them
            lock.unlock();
        }
        if (failed) {
            end(Outcome.LOCAL_CONNECT_FAILED);
        } else if (ended.get()) {
            closeQuietly(opened);
        }
    }

    /** Whether the access rules refused this client: its datagrams are dropped. */
    boolean refused() {
        return verdict != Verdict.ALLOWED;
    }

    /** The address replies must come from, or null while the backend is not open. */
    SocketAddress backendAddress() {
        Backend opened = backend;
        return opened == null ? null : opened.address();
    }

    /** The client this session serves. */
    InetSocketAddress client() {
        return client;
    }

    /**
     * Forwards one datagram from the client, keeps it while the backend opens, or drops it for
     * a refused client; a failed send ends the session. Only the listener's receiver thread calls it.
     */
    void fromClient(ByteBuffer datagram) {
        traffic.touch();
        if (refused()) {
            return;
        }
        Backend opened = backend;
        if (opened == null) {
            lock.lock();
            try {
                opened = backend;
                if (opened == null) {
                    if (waiting.size() < WAITING_DATAGRAMS) {
                        traffic.countIn(datagram.remaining());
                        waiting.add(ByteBuffer.allocate(datagram.remaining()).put(datagram).flip());
                    } else {
                        Logger.debug("#{} backend still opening: datagram dropped", id);
                    }
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
        // Counted before the hand-off: a udp->tcp backend may answer and close, and the session be
        // logged, before this thread runs again.
        traffic.countIn(datagram.remaining());
        try {
            opened.send(datagram);
        } catch (IOException e) {
            end(Outcome.LOCAL_CONNECT_FAILED);
        }
    }

    /** Counts a reply sent to the client; only the one thread reading this session's backend calls it. */
    void toClient(int n) {
        traffic.countOut(n);
    }

    /** The rule in force when the client first spoke. */
    ActiveRule rule() {
        return rule;
    }

    /**
     * Ends the session, once: out of the listener's table, the backend closed, one log line (a
     * refused client's says why it was refused), out of the registry. Any thread may call it.
     */
    void end(Outcome outcome) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            listener.forget(client);
            closeQuietly(backend);
            release();
        } finally {
            listener.shared().report().ended(listener.stats(), traffic.record(Session.logText(client), rule.rule(), serving,
                    refused() ? Outcome.of(verdict) : outcome));
            listener.shared().live().remove(this);
        }
    }

    @Override
    public void sweep(long nowNanos) {
        if (traffic.idleLongerThan(timeoutNanos, nowNanos)) {
            end(Outcome.IDLE_TIMEOUT);
        }
    }

    @Override
    public void abort() {
        end(Outcome.DONE_REMOTE_CLOSED);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public SessionStatus status() {
        return traffic.status(id, rule.rule(), Session.statusText(client), serving);
    }

    /** Closes a backend or a socket, if there is one, when nothing can be done about a failure to close. */
    static void closeQuietly(AutoCloseable backend) {
        if (backend != null) {
            try {
                backend.close();
            } catch (Exception e) {
                // nothing more to release
            }
        }
    }
}
