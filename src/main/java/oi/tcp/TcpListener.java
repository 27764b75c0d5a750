package oi.tcp;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import oi.config.Endpoint;
import oi.log.Outcome;
import oi.runtime.ActiveRule;
import oi.runtime.Admission;
import oi.runtime.Completion;
import oi.runtime.ConnectionLimit;
import oi.runtime.Context;
import oi.runtime.FailureBurst;
import oi.runtime.RuleListener;
import oi.runtime.Session;
import org.tinylog.Logger;

/**
 * The listening socket of one TCP rule and its accept loop, which starts one session thread
 * per accepted connection. One named thread per listener, like Helidon's ServerListener, of the
 * thread model {@code --threads} chose.
 */
public final class TcpListener extends RuleListener {
    /** Pending connections the kernel may queue; rinetd uses 128, busy forwarders want more. */
    static final int BACKLOG = 1024;
    private static final long ACCEPT_BACKOFF_MILLIS = 100;

    private final ServerSocketChannel server;
    private final Context context;
    private final ConnectionLimit ruleConnections = new ConnectionLimit();
    private final boolean ip;
    private final Completion acceptorDone = new Completion();
    private volatile boolean started;

    private TcpListener(ServerSocketChannel server, ActiveRule active, Context context) {
        super(server, active);
        this.server = server;
        this.context = context;
        this.ip = active.rule().bind() instanceof Endpoint.Inet;
    }

    /**
     * Binds the rule's address, an IP one or a Unix socket file (a stale file from an earlier run
     * is replaced); nothing is accepted until {@link #start}.
     *
     * @throws IOException when the address cannot be bound (in use, no permission, not local)
     */
    public static TcpListener bind(ActiveRule active, Context context) throws IOException {
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
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new TcpListener(server, active, context);
    }

    /** Deletes a socket file left by an earlier run, refusing to touch anything that is not a socket. */
    private static void replaceStaleSocket(Path socketFile) throws IOException {
        if (Files.exists(socketFile, LinkOption.NOFOLLOW_LINKS)) {
            if (!"s".equals(fileType(socketFile))) {
                throw new IOException(socketFile + " exists and is not a socket");
            }
            Files.delete(socketFile);
        }
    }

    private static String fileType(Path file) throws IOException {
        Object mode = Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return ((Integer) mode & 0170000) == 0140000 ? "s" : "other";
    }

    @Override
    public void start() {
        // The acceptor follows --threads: on a virtual thread the session it starts is queued
        // on the same carrier, which measured a few per cent more connections per second.
        started = true;
        context.threads().start("oi-accept " + active().rule().bind(), this::acceptLoop);
    }

    private void acceptLoop() {
        try {
            accept();
        } finally {
            acceptorDone.done();
        }
    }

    private void accept() {
        FailureBurst failures = new FailureBurst("accept on " + active().rule().bind(),
                "retrying every " + ACCEPT_BACKOFF_MILLIS + " ms");
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!server.isOpen()) {
                    break;
                }
                failures.failed(e.getMessage()); // e.g. out of descriptors (EMFILE): back off instead of spinning
                FailureBurst.pause(ACCEPT_BACKOFF_MILLIS);
                continue;
            }
            failures.succeeded();
            dispatch(client);
        }
    }

    /** Starts a session for an accepted client, or refuses it at once when a limit is reached. */
    private void dispatch(SocketChannel client) {
        ActiveRule rule = active();
        SocketAddress peer = remote(client);
        ConnectionLimit processLimit = context.connections();
        if (!processLimit.tryAcquire(context.settings().maxConns())) {
            refuse(client, peer, rule, Outcome.REFUSED_MAXCONNS);
            return;
        }
        if (!ruleConnections.tryAcquire(rule.rule().options().maxConns())) {
            processLimit.release();
            refuse(client, peer, rule, Outcome.REFUSED_MAXCONNS);
            return;
        }
        Runnable release = () -> {
            ruleConnections.release();
            processLimit.release();
        };
        long id = context.live().nextId();
        Admission admission = new Admission(id, peer, rule, context, stats(), release);
        Session session;
        try {
            tune(client);
            session = rule.sessions().open(admission, client);
        } catch (IOException | RuntimeException | OutOfMemoryError e) { // this client only: keep serving
            Logger.info("#{} cannot set up {}: {}", id, Session.logText(peer), e.toString());
            release.run();
            refuse(client, peer, rule, Outcome.LOCAL_SOCKET_FAILED);
            return;
        }
        session.start(context.threads(), "oi-pump #" + id + " c→b");
    }

    /** TCP_NODELAY and keepalive on a TCP client, once at accept; a Unix-socket client has neither. */
    private void tune(SocketChannel client) throws IOException {
        if (ip) {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (context.settings().keepAlive()) {
                client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            }
        }
    }

    /** Closes a client refused before any session starts (over a limit, or no session could be made) and logs why. */
    private void refuse(SocketChannel client, SocketAddress peer, ActiveRule rule, Outcome why) {
        long start = System.nanoTime();
        closeQuietly(client);
        context.record(stats(), Session.logText(peer), rule.rule(), why, start, 0, 0, false);
    }

    private static SocketAddress remote(SocketChannel channel) {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null; // reset before we got to it; the session will find it closed
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            Logger.trace(e, "close");
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            if (active().rule().bind() instanceof Endpoint.Unix unix) {
                Files.deleteIfExists(unix.path());
            }
        } catch (IOException e) {
            Logger.warn("closing listener {}: {}", active().rule().bind(), e.getMessage());
        }
        if (started) {
            acceptorDone.await(TimeUnit.SECONDS.toNanos(1));
        }
    }
}
