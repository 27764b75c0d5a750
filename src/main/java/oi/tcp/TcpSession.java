package oi.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import oi.acl.AddressPattern;
import oi.config.Endpoint;
import oi.config.ForwardRule;
import oi.config.ProxyProtocol;
import oi.log.Outcome;
import oi.runtime.ActiveRule;
import oi.runtime.Context;
import oi.runtime.ConnectionSession;
import oi.runtime.SessionStatus;
import oi.stats.ConnectionOpenedEvent;
import oi.stats.RuleStats;
import org.tinylog.Logger;

/**
 * One accepted TCP (or Unix-socket) connection from start to log line: access check, backend
 * connect, two pumps, close.
 *
 * <p>{@link #run} runs on the connection's own thread, which becomes the client-to-backend
 * pump; a second thread of the same model runs backend-to-client. The session owns and closes
 * both sockets, and gives its connection-limit slots back through {@code release} when it ends.
 */
final class TcpSession implements ConnectionSession {
    private static final long SETTLE_NANOS = 5_000_000;

    private final long id;
    private final SocketChannel client;
    private final String clientText;
    private final ActiveRule active;
    private final Context context;
    private final RuleStats stats;
    private final Runnable release;
    private final long idleLimitNanos;
    private final long startNanos = System.nanoTime();
    private final AtomicReference<Pump> firstToEnd = new AtomicReference<>();
    private volatile SocketChannel backend;
    private volatile Pump clientToBackend;
    private volatile Pump backendToClient;
    private volatile boolean expired;
    private volatile boolean aborted;

    TcpSession(long id, SocketChannel client, ActiveRule active, Context context, RuleStats stats, Runnable release) {
        this.id = id;
        this.client = client;
        this.clientText = clientText(client);
        this.active = active;
        this.context = context;
        this.stats = stats;
        this.release = release;
        int ruleIdle = active.rule().options().idleSeconds();
        this.idleLimitNanos = ruleIdle == oi.config.RuleOptions.INHERIT ? context.settings().idleTimeout().toNanos()
                                                                        : Duration.ofSeconds(ruleIdle).toNanos();
    }

    @Override
    public void run() {
        stats.opened();
        ConnectionOpenedEvent opened = new ConnectionOpenedEvent();
        if (opened.isEnabled()) {
            opened.rule = active.rule().toString();
            opened.client = clientText;
            opened.commit();
        }
        try {
            Outcome outcome = forward();
            closeQuietly(client);
            closeQuietly(backend);
            report(context, stats, clientText, active.rule(), outcome, startNanos, bytes(clientToBackend),
                    bytes(backendToClient), true);
        } finally {
            release.run(); // before leaving the registry: whoever sees no live session may count on the slot
            context.live().remove(this);
        }
    }

    /** Closes a client that is refused before its session starts (e.g. over a limit) and logs why. */
    static void reject(SocketChannel client, ActiveRule active, Context context, RuleStats stats, Outcome outcome) {
        long start = System.nanoTime();
        String text = clientText(client);
        closeQuietly(client);
        report(context, stats, text, active.rule(), outcome, start, 0, 0, false);
    }

    private Outcome forward() {
        ForwardRule rule = active.rule();
        // Unix-socket clients have no IP address: the socket file's permissions guard them instead.
        Outcome refusal = remote(client) instanceof InetSocketAddress address ? active.refusal(address.getAddress()) : null;
        if (refusal != null) {
            Logger.debug("#{} {} refused: {}", id, clientText, refusal.word());
            return refusal;
        }
        Outcome failed = connect(rule.connect(), rule);
        if (failed != null) {
            return failed;
        }
        if (aborted) {
            return Outcome.DONE_LOCAL_CLOSED; // oi itself is stopping
        }
        clientToBackend = new Pump(client, backend, context.settings().io(), context.buffers());
        backendToClient = new Pump(backend, client, context.settings().io(), context.buffers());
        Thread other = context.settings().threads().start("oi-pump #" + id + " b→c",
                () -> pump(backendToClient, clientToBackend));
        pump(clientToBackend, backendToClient);
        joinUninterruptibly(other);
        if (expired) {
            return Outcome.IDLE_TIMEOUT;
        }
        // rinetd's words: the "local" socket is the backend's, the "remote" one the client's.
        return firstToEnd.get() == backendToClient ? Outcome.DONE_LOCAL_CLOSED : Outcome.DONE_REMOTE_CLOSED;
    }

    /** Opens the backend socket, from {@code src=} if given, and sends the PROXY header; null when all went well. */
    private Outcome connect(Endpoint target, ForwardRule rule) {
        boolean unix = target.unixPath() != null;
        SocketAddress address;
        try {
            address = target.currentAddress();
            backend = unix ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        } catch (IOException e) {
            Logger.warn("#{} cannot open a socket towards {}: {}", id, target, e.getMessage());
            return e instanceof java.net.UnknownHostException ? Outcome.LOCAL_CONNECT_FAILED : Outcome.LOCAL_SOCKET_FAILED;
        }
        if (rule.options().source() != null && !unix) {
            try {
                backend.bind(new InetSocketAddress(rule.options().source(), 0));
            } catch (IOException e) {
                Logger.warn("#{} cannot bind source address {}: {}", id, rule.options().source(), e.getMessage());
                return Outcome.LOCAL_BIND_FAILED;
            }
        }
        try {
            long connectStart = System.nanoTime();
            if (unix) {
                backend.connect(address); // local: never slow
            } else {
                backend.socket().connect(address, (int) context.settings().connectTimeout().toMillis());
            }
            stats.connected(System.nanoTime() - connectStart);
            tune(client);
            tune(backend);
        } catch (IOException e) {
            Logger.info("#{} backend {} failed: {}", id, target, e.getMessage());
            return Outcome.LOCAL_CONNECT_FAILED;
        }
        if (rule.options().proxy() != ProxyProtocol.NONE) {
            try {
                ByteBuffer header = ByteBuffer.wrap(ProxyHeader.of(rule.options().proxy(), remote(client), local(client)));
                while (header.hasRemaining()) {
                    backend.write(header);
                }
            } catch (IOException e) {
                Logger.info("#{} backend {} failed before the PROXY header was sent: {}", id, target, e.getMessage());
                return Outcome.LOCAL_CONNECT_FAILED;
            }
        }
        return null;
    }

    /** TCP_NODELAY and keepalive on TCP sockets; Unix sockets have neither. */
    private void tune(SocketChannel channel) throws IOException {
        if (local(channel) instanceof InetSocketAddress) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, context.settings().keepAlive());
        }
    }

    private void pump(Pump pump, Pump opposite) {
        // A clean end is only clean if the opposite pump's write into the same socket did not
        // just swallow the peer's reset; a write stuck on a slow peer is not waited for long.
        boolean clean = pump.copy() && !opposite.writeFailed(SETTLE_NANOS);
        firstToEnd.compareAndSet(null, pump);
        if (clean) {
            halfClose(pump.to());
        } else if (!expired) {
            abort(); // the peer must see a reset, not a clean end, and the other pump must stop too
        }
    }

    /** Passes an end of stream on: the peer reads end of stream while its own direction runs on. */
    private void halfClose(SocketChannel channel) {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            abort();
        }
    }

    @Override
    public void abort() {
        aborted = true; // a session aborted before it connected must not connect afterwards
        reset(client);
        reset(backend);
    }

    @Override
    public void expireIfIdle(long nowNanos) {
        Pump toBackend = clientToBackend;
        Pump toClient = backendToClient;
        if (idleLimitNanos <= 0 || toBackend == null || toClient == null) {
            return; // no limit, or still connecting: the connect timeout covers that
        }
        long last = Math.max(toBackend.lastActivityNanos(), toClient.lastActivityNanos());
        if (nowNanos - last > idleLimitNanos) {
            expired = true;
            Logger.debug("#{} idle for {} ms: closing", id, (nowNanos - last) / 1_000_000);
            closeQuietly(client); // a plain close: an idle peer gets a FIN, not a reset
            closeQuietly(backend);
        }
    }

    @Override
    public SessionStatus status() {
        SocketAddress peer = remote(client);
        return new SessionStatus(id, active.rule().toString(), peer instanceof InetSocketAddress address
                ? AddressPattern.canonicalText(address.getAddress()) + ":" + address.getPort() : clientText,
                active.rule().connect().toString(),
                Duration.ofNanos(System.nanoTime() - startNanos), bytes(clientToBackend), bytes(backendToClient));
    }

    private static long bytes(Pump pump) {
        return pump == null ? 0 : pump.bytes();
    }

    private static void report(Context context, RuleStats stats, String client, ForwardRule rule, Outcome outcome,
                               long startNanos, long in, long out, boolean opened) {
        context.ended(stats, client, rule, outcome, startNanos, in, out, opened);
        Logger.debug("{} {} in={} out={}", client, outcome.word(), in, out);
    }

    /** The client as the log shows it: its IP address, or {@code unix} for a Unix-socket client. */
    static String clientText(SocketChannel channel) {
        return remote(channel) instanceof InetSocketAddress address ? AddressPattern.canonicalText(address.getAddress()) : "unix";
    }

    private static SocketAddress remote(SocketChannel channel) {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null; // closed already
        }
    }

    private static SocketAddress local(SocketChannel channel) {
        try {
            return channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    private static void reset(SocketChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            if (channel.isOpen() && local(channel) instanceof InetSocketAddress) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0); // close() now sends RST instead of FIN
            }
        } catch (IOException e) {
            // already closed by the other pump: nothing left to reset
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            Logger.trace(e, "close");
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
