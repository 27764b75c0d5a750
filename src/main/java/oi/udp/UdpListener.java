package oi.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import oi.balance.Attempt;
import oi.balance.ConnectFailure;
import oi.balance.Outbound;
import oi.live.RuleListener;
import oi.live.Session;
import oi.live.Shared;
import oi.report.FailureBurst;
import oi.report.Outcome;
import oi.rules.ActiveRule;
import oi.rules.Endpoint.Protocol;
import oi.rules.Endpoint;
import org.tinylog.Logger;

/**
 * The bind socket of one UDP rule and its client sessions, one per client address.
 *
 * <p>Two platform threads per listener (and up to four short-lived ones opening new clients' backends), not per client: the receiver reads every client's
 * datagrams from the bind socket and hands each to its session; the replier waits on all the
 * sessions' backend sockets at once and sends each reply back to its own client from the bind
 * socket. A session therefore costs a socket and a few objects, not threads or 64 KiB buffers,
 * which is what lets {@code --udp-sessions} be large. (A udp→tcp session is a TCP connection
 * and gets its own reader thread, see {@link StreamBackend}.)
 */
public final class UdpListener extends RuleListener {
    /** Room for the largest UDP payload (65 507 bytes over IPv4), whatever {@code --buffer} says. */
    static final int MAX_DATAGRAM = 65_535;
    private static final long RECEIVE_BACKOFF_MILLIS = 100;
    private static final int SETUP_THREADS = 4;

    private final DatagramChannel server;
    private final Shared shared;
    private final Selector replies;
    private final ReentrantLock lock = new ReentrantLock();
    /** Sessions by client address, least recently used first: the first one is evicted when full. */
    private final Map<SocketAddress, UdpSession> sessions = new LinkedHashMap<>(64, 0.75f, true);
    private final List<Thread> threads = new ArrayList<>();
    private final ThreadPoolExecutor setup;

    private UdpListener(DatagramChannel server, ActiveRule active, Shared shared) throws IOException {
        super(server, active, shared.settings().connectTimeout());
        this.server = server;
        this.shared = shared;
        this.replies = Selector.open();
        String name = "oi-udp-setup " + active.rule().bind();
        this.setup = new ThreadPoolExecutor(SETUP_THREADS, SETUP_THREADS, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> Thread.ofPlatform().daemon(true).name(name).unstarted(task));
        setup.allowCoreThreadTimeOut(true); // an idle rule keeps no setup threads
    }

    /**
     * Binds the rule's UDP address; nothing is received until {@link #start}.
     *
     * @throws IOException when the address cannot be bound
     */
    public static UdpListener bind(ActiveRule active, Shared shared) throws IOException {
        // Exactly the rule's family: 0.0.0.0 must not become a dual-stack "::" that IPv6 clients reach too.
        DatagramChannel server = DatagramChannel.open(active.rule().bind().family());
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(active.rule().bind().bindAddress());
            return new UdpListener(server, active, shared);
        } catch (IOException e) {
            server.close();
            throw e;
        }
    }

    @Override
    public void start() {
        String name = active().rule().bind().toString();
        threads.add(Thread.ofPlatform().daemon(true).name("oi-udp " + name).start(this::receiveLoop));
        threads.add(Thread.ofPlatform().daemon(true).name("oi-udp-replies " + name).start(this::replyLoop));
    }

    /** What every session of this listener shares with the rest of the process. */
    Shared shared() {
        return shared;
    }

    /** Live sessions of this rule, for tests and status. */
    int sessionCount() {
        lock.lock();
        try {
            return sessions.size();
        } finally {
            lock.unlock();
        }
    }

    private void receiveLoop() {
        ByteBuffer datagram = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        FailureBurst failures = new FailureBurst("receive on " + active().rule().bind(),
                "retrying every " + RECEIVE_BACKOFF_MILLIS + " ms");
        while (server.isOpen()) {
            SocketAddress from;
            try {
                from = server.receive(datagram.clear());
            } catch (IOException e) {
                if (server.isOpen()) {
                    failures.failed(e.getMessage());
                    FailureBurst.pause(RECEIVE_BACKOFF_MILLIS);
                }
                continue;
            }
            failures.succeeded();
            sessionFor((InetSocketAddress) from).fromClient(datagram.flip());
        }
    }

    /**
     * The client's session, made (and the least recently used one evicted, if full) on its first
     * datagram; its backend is opened on a setup thread, so that a slow lookup or socket open for
     * one client never holds up the datagrams of the others.
     */
    private UdpSession sessionFor(InetSocketAddress client) {
        UdpSession evicted = null;
        UdpSession session;
        lock.lock();
        try {
            session = sessions.get(client);
            if (session != null) {
                return session;
            }
            if (sessions.size() >= shared.settings().udpSessions()) {
                evicted = sessions.values().iterator().next();
            }
            session = new UdpSession(this, shared.live().nextId(), client, active());
            sessions.put(client, session);
        } finally {
            lock.unlock();
        }
        shared.live().add(session);
        shared.report().opened(stats(), session.rule().rule(), Session.logText(client));
        if (evicted != null) {
            evicted.end(Outcome.EVICTED);
        }
        if (session.refused()) {
            Logger.debug("#{} {} refused: datagrams dropped until the session times out", session.id(), client);
        } else {
            UdpSession opening = session;
            try {
                setup.execute(() -> open(opening));
            } catch (RejectedExecutionException e) { // closing
                opening.end(Outcome.LOCAL_SOCKET_FAILED);
            }
        }
        return session;
    }

    /** Takes an ended session out of the table, so that its client's next datagram starts a new one. */
    void forget(SocketAddress client) {
        lock.lock();
        try {
            sessions.remove(client);
        } finally {
            lock.unlock();
        }
    }

    /** Opens the backend of a new session, on a setup thread: a datagram socket, or a TCP connection for udp→tcp. */
    private void open(UdpSession session) {
        ActiveRule rule = session.rule();
        if (rule.rule().connect().protocol() == Protocol.TCP) {
            session.attach(StreamBackend.start(session, rule, backends(), shared, server));
            return;
        }
        // The backend chosen now serves the session to its end: a client's datagrams stay on one backend.
        switch (backends().open(session.id(), session.client().getAddress(), target -> datagramBackend(target, rule), () -> true)) {
            case Attempt.Opened<DatagramBackend> opened -> {
                session.served(opened.backend());
                session.attach(opened.channel());
                try {
                    opened.channel().channel().register(replies, SelectionKey.OP_READ, session);
                    replies.wakeup();
                } catch (IOException | RuntimeException e) { // closed: the listener is stopping
                    session.end(Outcome.LOCAL_SOCKET_FAILED);
                }
            }
            case Attempt.Failed<DatagramBackend> failed -> session.end(failed.outcome());
        }
    }

    /** A datagram socket towards one backend, from {@code src=} if given. */
    private DatagramBackend datagramBackend(Endpoint backend, ActiveRule rule) throws ConnectFailure {
        Outbound<DatagramChannel> outbound = Outbound.open(backend, rule.rule().options().source(), DatagramChannel::open);
        DatagramChannel channel = outbound.channel();
        try {
            // Not connected: a connected channel's send skips a 0-byte datagram. The replier
            // drops whatever does not come from the backend instead.
            channel.configureBlocking(false);
            return new DatagramBackend(channel, outbound.address(), replies);
        } catch (IOException | RuntimeException e) {
            UdpSession.closeQuietly(channel);
            throw new ConnectFailure(Outcome.LOCAL_CONNECT_FAILED, String.valueOf(e.getMessage()));
        }
    }

    /** Sends every backend reply back to its own client, from the bind socket. */
    private void replyLoop() {
        ByteBuffer datagram = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        try {
            while (server.isOpen()) {
                replies.select();
                Iterator<SelectionKey> ready = replies.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    UdpSession session = (UdpSession) key.attachment();
                    DatagramChannel backend = (DatagramChannel) key.channel();
                    try {
                        SocketAddress from;
                        while ((from = backend.receive(datagram.clear())) != null) { // receive, not read: 0 bytes count
                            if (from.equals(session.backendAddress())) {
                                int n = datagram.flip().remaining();
                                server.send(datagram, session.client());
                                session.toClient(n);
                            }
                        }
                    } catch (IOException e) {
                        // e.g. ICMP port unreachable from the backend: UDP has no connection to lose, keep the session
                        Logger.debug("#{} backend {}: {}", session.id(), backend, e.getMessage());
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (server.isOpen()) {
                Logger.error("replies on {} stopped: {}", active().rule().bind(), e.getMessage());
            }
        }
    }

    /** Stops receiving and ends the sessions: without the bind socket no reply could reach a client. */
    @Override
    public void close() {
        backends().close();
        setup.shutdownNow();
        try {
            server.close();
            replies.close();
        } catch (IOException e) {
            Logger.warn("closing listener {}: {}", active().rule().bind(), e.getMessage());
        }
        List<UdpSession> open;
        lock.lock();
        try {
            open = new ArrayList<>(sessions.values());
        } finally {
            lock.unlock();
        }
        open.forEach(session -> session.end(Outcome.DONE_REMOTE_CLOSED));
        for (Thread thread : threads) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An unconnected datagram socket towards the backend (a connected one would skip 0-byte datagrams), watched by the replier's selector. */
    private record DatagramBackend(DatagramChannel channel, SocketAddress target, Selector replies)
            implements UdpSession.Backend {
        @Override
        public SocketAddress address() {
            return target;
        }

        @Override
        public void send(ByteBuffer payload) throws IOException {
            channel.send(payload, target);
        }

        @Override
        public void close() throws IOException {
            channel.close();
            replies.wakeup(); // a registered channel's descriptor is released only when its selector next selects
        }
    }
}
