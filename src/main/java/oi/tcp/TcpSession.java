package oi.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicReference;
import oi.acl.AccessList;
import oi.config.ForwardRule;
import oi.config.ProxyProtocol;
import oi.config.RuleOptions;
import oi.log.ConnectionRecord;
import oi.log.Outcome;
import oi.runtime.ActiveRule;
import oi.runtime.Context;
import oi.runtime.Session;
import oi.runtime.SessionStatus;
import oi.stats.ConnectionOpenedEvent;
import oi.stats.RuleStats;
import org.tinylog.Logger;

/**
 * One accepted TCP connection from start to log line: access check, backend connect, two
 * pumps, close.
 *
 * <p>{@link #run} runs on the connection's own thread, which becomes the client-to-backend
 * pump; a second thread of the same model runs backend-to-client. The session owns and closes
 * both sockets, and gives its connection-limit slots back through {@code release} when it ends.
 */
final class TcpSession implements Session, Runnable {
    private static final long SETTLE_NANOS = 5_000_000;
    private final long id;
    private final Socket client;
    private final ActiveRule active;
    private final Context context;
    private final RuleStats stats;
    private final Runnable release;
    private final long idleLimitNanos;
    private final long startNanos = System.nanoTime();
    private final Socket backend = new Socket();
    private final AtomicReference<Pump> firstToEnd = new AtomicReference<>();
    private volatile Pump clientToBackend;
    private volatile Pump backendToClient;
    private volatile boolean expired;

    TcpSession(long id, Socket client, ActiveRule active, Context context, RuleStats stats, Runnable release) {
        this.id = id;
        this.client = client;
        this.active = active;
        this.context = context;
        this.stats = stats;
        this.release = release;
        int ruleIdle = active.rule().options().idleSeconds();
        this.idleLimitNanos = ruleIdle == RuleOptions.INHERIT ? context.settings().idleTimeout().toNanos()
                                                              : Duration.ofSeconds(ruleIdle).toNanos();
    }

    @Override
    public void run() {
        context.live().add(this);
        stats.opened();
        ConnectionOpenedEvent opened = new ConnectionOpenedEvent();
        if (opened.isEnabled()) {
            opened.rule = active.rule().toString();
            opened.client = client.getRemoteSocketAddress().toString();
            opened.commit();
        }
        try {
            Outcome outcome = forward();
            closeQuietly(client);
            closeQuietly(backend);
            report(context, stats, client, active.rule(), outcome, startNanos, bytes(clientToBackend), bytes(backendToClient),
                    true);
        } finally {
            release.run(); // before leaving the registry: whoever sees no live session may count on the slot
            context.live().remove(this);
        }
    }

    /** Closes a client that is refused before its session starts (e.g. over a limit) and logs why. */
    static void reject(Socket client, ActiveRule active, Context context, RuleStats stats, Outcome outcome) {
        long start = System.nanoTime();
        closeQuietly(client);
        report(context, stats, client, active.rule(), outcome, start, 0, 0, false);
    }

    private Outcome forward() {
        ForwardRule rule = active.rule();
        AccessList.Verdict verdict = active.check(client.getInetAddress());
        if (verdict != AccessList.Verdict.ALLOWED) {
            Logger.debug("#{} {} refused: {}", id, client.getRemoteSocketAddress(), verdict);
            return verdict == AccessList.Verdict.DENIED ? Outcome.DENIED : Outcome.NOT_ALLOWED;
        }
        if (rule.options().source() != null) {
            try {
                backend.bind(new InetSocketAddress(rule.options().source(), 0));
            } catch (IOException e) {
                Logger.warn("#{} cannot bind source address {}: {}", id, rule.options().source(), e.getMessage());
                return Outcome.LOCAL_BIND_FAILED;
            }
        }
        try {
            long connectStart = System.nanoTime();
            backend.connect(rule.connect().currentAddress(), (int) context.settings().connectTimeout().toMillis());
            stats.connected(System.nanoTime() - connectStart);
            for (Socket socket : new Socket[] {client, backend}) {
                socket.setTcpNoDelay(true);
                socket.setKeepAlive(context.settings().keepAlive());
            }
        } catch (IOException e) {
            Logger.info("#{} backend {} failed: {}", id, rule.connect(), e.getMessage());
            return Outcome.LOCAL_CONNECT_FAILED;
        }
        if (rule.options().proxy() != ProxyProtocol.NONE) {
            try {
                backend.getOutputStream().write(ProxyHeader.of(rule.options().proxy(),
                        (InetSocketAddress) client.getRemoteSocketAddress(), (InetSocketAddress) client.getLocalSocketAddress()));
            } catch (IOException e) {
                Logger.info("#{} backend {} failed before the PROXY header was sent: {}", id, rule.connect(), e.getMessage());
                return Outcome.LOCAL_CONNECT_FAILED;
            }
        }
        int bufferSize = context.settings().bufferSize();
        clientToBackend = new Pump(client, backend, bufferSize);
        backendToClient = new Pump(backend, client, bufferSize);
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
    private void halfClose(Socket socket) {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            abort();
        }
    }

    @Override
    public void abort() {
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

    private static long bytes(Pump pump) {
        return pump == null ? 0 : pump.bytes();
    }

    private static void report(Context context, RuleStats stats, Socket client, ForwardRule rule, Outcome outcome,
                               long startNanos, long in, long out, boolean opened) {
        Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
        context.ended(stats, new ConnectionRecord(ZonedDateTime.now(), client.getInetAddress(), rule, in, out, outcome,
                duration), opened);
        Logger.debug("{} {} in={} out={} {}", client.getRemoteSocketAddress(), outcome.word(), in, out, duration);
    }

    @Override
    public SessionStatus status() {
        return new SessionStatus(id, active.rule().toString(), String.valueOf(client.getRemoteSocketAddress()),
                active.rule().connect().toString(), Duration.ofNanos(System.nanoTime() - startNanos),
                bytes(clientToBackend), bytes(backendToClient));
    }

    private static void reset(Socket socket) {
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
            }
        } catch (IOException e) {
            // already closed by the other pump: nothing left to reset
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
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
