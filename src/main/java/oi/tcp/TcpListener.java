package oi.tcp;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import oi.live.Admission;
import oi.live.ConnectionLimit.Slot;
import oi.live.ConnectionLimit;
import oi.live.RuleListener;
import oi.live.Session;
import oi.live.Shared;
import oi.report.ConnectionRecord;
import oi.report.FailureBurst;
import oi.report.Outcome;
import oi.rules.ActiveRule;
import oi.rules.Endpoint.Protocol;
import oi.rules.Endpoint;
import oi.rules.ProxyProtocol;
import oi.threads.Completion;
import oi.udp.TcpToUdpSession;
import org.tinylog.Logger;

/**
 * The listening socket of one TCP (or Unix-socket) rule and its accept loop: the first step of a
 * connection's road. It takes the connection's limit slots and creates the connection, a
 * {@link TcpSession} (or, for a tcp→udp rule, a {@link TcpToUdpSession}), on a thread of its own.
 *
 * <p>One named accept thread per listener, like Helidon's ServerListener, of the thread model
 * {@code --threads} chose; the ports of a port range share one instead, a {@link RangeAcceptor}.
 */
public final class TcpListener extends RuleListener {
    /** Pending connections the kernel may queue; rinetd uses 128, busy forwarders want more. */
    static final int BACKLOG = 1024;
    private static final long ACCEPT_BACKOFF_MILLIS = 100;
    private static final AtomicBoolean DEFER_UNAVAILABLE_SAID = new AtomicBoolean();

    private final ServerSocketChannel server;
    private final Shared shared;
    private final BufferPool buffers;
    private final ConnectionLimit ruleConnections = new ConnectionLimit();
    private final Completion acceptorDone = new Completion();
    private final boolean ip;
    private volatile boolean started;
    private volatile Throttle.Rule throttles;
    private final RangeAcceptor acceptor;
    private final FailureBurst failures;

    private TcpListener(ServerSocketChannel server, ActiveRule active, Shared shared, BufferPool buffers, RangeAcceptor acceptor) {
        super(server, active, shared.settings().connectTimeout());
        this.acceptor = acceptor;
        this.failures = new FailureBurst("accept on " + active.rule().bind(), "retrying every " + ACCEPT_BACKOFF_MILLIS + " ms");
        this.server = server;
        this.shared = shared;
        this.buffers = buffers;
        this.ip = active.rule().bind() instanceof Endpoint.Inet; // a reload keeps the bind address, so this holds
        this.throttles = new Throttle.Rule(active.rule().options().rates().perRule(), stats()::throttled);
    }

    /**
     * Binds the rule's address, an IP one or a Unix socket file (a stale file from an earlier run
     * is replaced); nothing is accepted until {@link #start}.
     *
     * @param buffers the full-size pump buffers every TCP connection borrows from
     * @param acceptor the thread that accepts for all the ports of this rule's range, or null for a thread of its own
     * @throws IOException when the address cannot be bound (in use, no permission, not local)
     */
    public static TcpListener bind(ActiveRule active, Shared shared, BufferPool buffers, RangeAcceptor acceptor) throws IOException {
        Path socketFile = active.rule().bind() instanceof Endpoint.Unix unix ? unix.path() : null;
        // Exactly the rule's family: 0.0.0.0 must not become a dual-stack "::" that IPv6 clients reach too.
        ServerSocketChannel server = ServerSocketChannel.open(active.rule().bind().family());
        try {
            if (socketFile != null) {
                replaceStaleSocket(socketFile);
            } else {
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            server.bind(active.rule().bind().bindAddress(), BACKLOG);
            if (socketFile == null && takesProxyHeaders(active)) {
                deferAccepts(server, true);
            }
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new TcpListener(server, active, shared, buffers, acceptor);
    }

    /**
     * Lets the kernel hold each new connection of an {@code acceptproxy=} rule until its PROXY
     * header has come ({@link DeferAccept}), or stops that; where it cannot, one line says so
     * and the rule accepts at once.
     */
    private static void deferAccepts(ServerSocketChannel server, boolean on) throws IOException {
        String why = DeferAccept.unavailable();
        if (why == null) {
            DeferAccept.apply(server, on);
        } else if (on && !DEFER_UNAVAILABLE_SAID.getAndSet(true)) {
            Logger.info("acceptproxy= rules accept each connection before its PROXY header has come: {}", why);
        }
    }

    private static boolean takesProxyHeaders(ActiveRule active) {
        return active.rule().options().accept().version() != ProxyProtocol.NONE;
    }

    @Override
    public void update(ActiveRule reloaded) {
        throttles = throttles.update(reloaded.rule().options().rates().perRule());
        boolean defer = takesProxyHeaders(reloaded);
        if (defer != takesProxyHeaders(active()) && !(reloaded.rule().bind() instanceof Endpoint.Unix)) {
            try {
                deferAccepts(server, defer); // a client that waits for the backend to speak first must not wait in the kernel
            } catch (IOException e) {
                Logger.warn("{}: cannot change how it accepts for acceptproxy=: {}", reloaded.rule().bind(), e.getMessage());
            }
        }
        super.update(reloaded);
    }

    @Override
    public void start() {
        if (acceptor != null) {
            try {
                acceptor.join(this, server);
                started = true; // only a port that joined leaves, so the acceptor's count stays true
            } catch (IOException e) { // closed meanwhile
                Logger.warn("cannot accept on {}: {}", active().rule().bind(), e.getMessage());
            }
            return;
        }
        started = true;
        // The acceptor follows --threads: on a virtual thread the connection it starts is queued
        // on the same carrier, near the accept that made it.
        shared.threads().start("oi-accept " + active().rule().bind(), () -> {
            try {
                acceptLoop();
            } finally {
                acceptorDone.done();
            }
        });
    }

    private void acceptLoop() {
        while (acceptWaiting()) {
            // each turn accepts one client, or backs off after a failure
        }
    }

    /**
     * Accepts the clients waiting and starts a connection for each: one, waiting for it, on the
     * listener's own thread; every one there is, without waiting, for a {@link RangeAcceptor}.
     *
     * @return false once the listening socket is closed
     */
    boolean acceptWaiting() {
        try {
            for (SocketChannel client; (client = server.accept()) != null; ) {
                failures.succeeded();
                admit(client);
                if (acceptor == null) {
                    break;
                }
            }
            return true;
        } catch (IOException e) {
            if (!server.isOpen()) {
                return false;
            }
            failures.failed(e.getMessage()); // e.g. out of descriptors (EMFILE): back off instead of spinning
            FailureBurst.pause(ACCEPT_BACKOFF_MILLIS);
            return true;
        }
    }

    /** The listening socket, for the {@link RangeAcceptor} that selects on it. */
    ServerSocketChannel channel() {
        return server;
    }

    /** Starts a connection for an accepted client, or refuses it at once when a limit is reached. */
    private void admit(SocketChannel client) {
        ActiveRule rule = active(); // the rule as it is now: a reload later does not change this client's
        SocketAddress peer = remote(client);
        Optional<Slot> slot = takeSlot(rule);
        if (slot.isEmpty()) {
            refuse(client, peer, rule, Outcome.REFUSED_MAXCONNS);
            return;
        }
        Admission admission = new Admission(shared.live().nextId(), client, peer, rule, stats(), backends(), slot.get());
        try {
            tune(client);
            if (rule.rule().connect().protocol() == Protocol.UDP) {
                new TcpToUdpSession(admission, shared).start();
            } else {
                new TcpSession(admission, shared, buffers, throttles).start();
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) { // this client only: keep serving
            Logger.info("#{} cannot set up {}: {}", admission.id(), admission.clientText(), e.toString());
            slot.get().close();
            refuse(client, peer, rule, Outcome.LOCAL_SOCKET_FAILED);
        }
    }

    /** A slot of the process's {@code --max-conns} and one of the rule's {@code maxconns}, as one, or empty when either is full. */
    private Optional<Slot> takeSlot(ActiveRule rule) {
        Optional<Slot> process = shared.connections().take(shared.settings().maxConns());
        if (process.isEmpty()) {
            return process;
        }
        Optional<Slot> own = ruleConnections.take(rule.rule().options().maxConns());
        if (own.isEmpty()) {
            process.get().close();
            return own;
        }
        return Optional.of(own.get().within(process.get()));
    }

    /** TCP_NODELAY and keepalive on a TCP client, once at accept; a Unix-socket client has neither. */
    private void tune(SocketChannel client) throws IOException {
        if (ip) {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (shared.settings().keepAlive()) {
                client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            }
        }
    }

    /** Closes a client refused before any connection starts (over a limit, or none could be made) and logs why. */
    private void refuse(SocketChannel client, SocketAddress peer, ActiveRule rule, Outcome why) {
        Sockets.close(client);
        shared.report().refused(stats(), new ConnectionRecord(ZonedDateTime.now(), Session.logText(peer), rule.rule(), rule.rule().connect(), 0, 0,
                why, Duration.ZERO));
    }

    /** Deletes a socket file left by an earlier run, refusing to touch anything that is not a socket. */
    private static void replaceStaleSocket(Path socketFile) throws IOException {
        if (Files.exists(socketFile, LinkOption.NOFOLLOW_LINKS)) {
            Object mode = Files.getAttribute(socketFile, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (((Integer) mode & 0170000) != 0140000) {
                throw new IOException(socketFile + " exists and is not a socket");
            }
            Files.delete(socketFile);
        }
    }

    private static SocketAddress remote(SocketChannel channel) {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null; // reset before we got to it; the connection will find it closed
        }
    }

    @Override
    public void close() {
        backends().close();
        try {
            server.close();
            if (active().rule().bind() instanceof Endpoint.Unix unix) {
                Files.deleteIfExists(unix.path());
            }
        } catch (IOException e) {
            Logger.warn("closing listener {}: {}", active().rule().bind(), e.getMessage());
        }
        if (started && acceptor != null) {
            acceptor.leave();
        } else if (started) {
            acceptorDone.await(TimeUnit.SECONDS.toNanos(1));
        }
    }
}
