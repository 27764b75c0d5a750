package oi.tcp;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import oi.config.Protocol;
import oi.log.Outcome;
import oi.runtime.ActiveRule;
import oi.runtime.ConnectionLimit;
import oi.runtime.Context;
import oi.runtime.ConnectionSession;
import oi.runtime.RuleListener;
import oi.udp.TcpToUdpSession;
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
    private static final long BURST_QUIET_NANOS = 1_000_000_000L;

    private final ServerSocketChannel server;
    private final Context context;
    private final ConnectionLimit ruleConnections = new ConnectionLimit();
    private Thread acceptor;

    private TcpListener(ServerSocketChannel server, ActiveRule active, Context context) {
        super(server, active);
        this.server = server;
        this.context = context;
    }

    /**
     * Binds the rule's address, an IP one or a Unix socket file (a stale file from an earlier run
     * is replaced); nothing is accepted until {@link #start}.
     *
     * @throws IOException when the address cannot be bound (in use, no permission, not local)
     */
    public static TcpListener bind(ActiveRule active, Context context) throws IOException {
        Path socketFile = active.rule().bind().unixPath();
        ServerSocketChannel server = socketFile != null ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                                                        : ServerSocketChannel.open();
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
        acceptor = context.settings().threads().start("oi-accept " + active().rule().bind(), this::acceptLoop);
    }

    private void acceptLoop() {
        int failures = 0;
        long lastFailure = 0;
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!server.isOpen()) {
                    break;
                }
                // e.g. out of descriptors (EMFILE): say so once per burst, and back off instead of spinning
                if (failures++ == 0) {
                    Logger.warn("accept on {} failed: {}; retrying every {} ms", active().rule().bind(), e.getMessage(),
                            ACCEPT_BACKOFF_MILLIS);
                }
                lastFailure = System.nanoTime();
                pause(ACCEPT_BACKOFF_MILLIS);
                continue;
            }
            // A burst ends only after a second without failures: a single freed descriptor is no recovery.
            if (failures > 0 && System.nanoTime() - lastFailure > BURST_QUIET_NANOS) {
                Logger.info("accept on {} works again after {} failures", active().rule().bind(), failures);
                failures = 0;
            }
            dispatch(client);
        }
    }

    /** Starts a session for an accepted client, or refuses it at once when a limit is reached. */
    private void dispatch(SocketChannel client) {
        ActiveRule rule = active();
        ConnectionLimit processLimit = context.connections();
        if (!processLimit.tryAcquire(context.settings().maxConns())) {
            TcpSession.reject(client, rule, context, stats(), Outcome.REFUSED_MAXCONNS);
            return;
        }
        if (!ruleConnections.tryAcquire(rule.rule().options().maxConns())) {
            processLimit.release();
            TcpSession.reject(client, rule, context, stats(), Outcome.REFUSED_MAXCONNS);
            return;
        }
        Runnable release = () -> {
            ruleConnections.release();
            processLimit.release();
        };
        long id = context.live().nextId();
        ConnectionSession session = rule.rule().connect().protocol() == Protocol.UDP
                ? new TcpToUdpSession(id, client, TcpSession.clientText(client), rule, context, stats(), release)
                : new TcpSession(id, client, rule, context, stats(), release);
        context.live().add(session); // before its thread runs, so that a stop arriving meanwhile still ends it
        try {
            context.settings().threads().start("oi-pump #" + id + " c→b", session);
        } catch (OutOfMemoryError | RuntimeException e) { // no thread could be had: refuse this client, keep serving
            context.live().remove(session);
            release.run();
            Logger.error("#{} cannot start a thread: {}", id, e.toString());
            TcpSession.reject(client, rule, context, stats(), Outcome.LOCAL_SOCKET_FAILED);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Path socketFile = active().rule().bind().unixPath();
            if (socketFile != null) {
                Files.deleteIfExists(socketFile);
            }
        } catch (IOException e) {
            Logger.warn("closing listener {}: {}", active().rule().bind(), e.getMessage());
        }
        if (acceptor != null) {
            try {
                acceptor.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
