package oi.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import oi.config.Endpoint;
import oi.config.ForwardRule;
import oi.config.ProxyProtocol;
import oi.config.RuleOptions;
import oi.log.Outcome;
import oi.runtime.Admission;
import oi.runtime.Completion;
import oi.runtime.Session;
import org.tinylog.Logger;

/**
 * One accepted TCP (or Unix-socket) connection: access check, backend connect, two pumps.
 *
 * <p>{@link #forward} runs on the connection's own thread, which becomes the client-to-backend
 * pump; a second thread of the same kind runs backend-to-client. {@link Session} closes both
 * sockets, gives the limit slots back and logs when both pumps are done.
 */
public final class TcpSession extends Session {
    private static final long SETTLE_NANOS = 5_000_000;

    private final SocketChannel client;
    private final AtomicReference<Pump> firstToEnd = new AtomicReference<>();
    private volatile SocketChannel backend;
    private volatile Pump clientToBackend;
    private volatile Pump backendToClient;
    private volatile boolean aborted;
    private volatile boolean connectTimedOut;

    /** The session of an accepted client, which it owns and closes from now on. */
    public TcpSession(Admission admission, SocketChannel client) {
        super(admission, idleLimitNanos(admission));
        this.client = client;
    }

    /** The rule's {@code [idle=N]}, else {@code --idle-timeout}. */
    private static long idleLimitNanos(Admission admission) {
        int ruleIdle = admission.rule().rule().options().idleSeconds();
        return ruleIdle == RuleOptions.INHERIT ? admission.context().settings().idleTimeout().toNanos()
                                               : Duration.ofSeconds(ruleIdle).toNanos();
    }

    @Override
    protected Outcome forward() throws InterruptedException {
        ForwardRule rule = rule().rule();
        // Unix-socket clients have no IP address: the socket file's permissions guard them instead.
        Outcome refusal = remote(client) instanceof InetSocketAddress address ? rule().refusal(address.getAddress()) : null;
        if (refusal != null) {
            Logger.debug("#{} {} refused: {}", id(), clientText(), refusal.word());
            return refusal;
        }
        Outcome failed = connect(rule.connect(), rule);
        if (failed != null) {
            return failed;
        }
        if (aborted) {
            return Outcome.DONE_LOCAL_CLOSED; // oi itself is stopping
        }
        clientToBackend = new Pump(client, backend, context().settings().io(), context().buffers(), context().threads(),
                this::countIn);
        backendToClient = new Pump(backend, client, context().settings().io(), context().buffers(), context().threads(),
                this::countOut);
        Completion other = backendToClient.completion();
        context().threads().start("oi-pump #" + id() + " b→c", () -> pump(backendToClient, clientToBackend));
        pump(clientToBackend, backendToClient);
        other.await();
        if (expired()) {
            return Outcome.IDLE_TIMEOUT;
        }
        // rinetd's words: the "local" socket is the backend's, the "remote" one the client's.
        return firstToEnd.get() == backendToClient ? Outcome.DONE_LOCAL_CLOSED : Outcome.DONE_REMOTE_CLOSED;
    }

    /** Opens the backend socket, from {@code src=} if given, and sends the PROXY header; null when all went well. */
    private Outcome connect(Endpoint target, ForwardRule rule) {
        SocketAddress address;
        try {
            address = target.currentAddress();
            backend = SocketChannel.open(Endpoint.familyOf(address));
        } catch (IOException e) {
            Logger.warn("#{} cannot open a socket towards {}: {}", id(), target, e.getMessage());
            return e instanceof UnknownHostException ? Outcome.LOCAL_CONNECT_FAILED : Outcome.LOCAL_SOCKET_FAILED;
        }
        boolean ip = address instanceof InetSocketAddress;
        if (rule.options().source() != null && ip) {
            try {
                backend.bind(new InetSocketAddress(rule.options().source(), 0));
            } catch (IOException | RuntimeException e) { // e.g. an IPv4 src= towards an IPv6 backend
                Logger.warn("#{} cannot bind source address {}: {}", id(), rule.options().source(), e.getMessage());
                return Outcome.LOCAL_BIND_FAILED;
            }
        }
        try {
            long connectStart = System.nanoTime();
            if (ip) {
                // A plain blocking connect, which on a virtual thread parks on the poller: the timed
                // one of the socket adaptor toggles the socket's blocking mode with four fcntl calls.
                // The sweeper enforces --connect-timeout by closing the socket (missedDeadline).
                deadline(context().settings().connectTimeout().toNanos());
                try {
                    backend.connect(address);
                } finally {
                    metDeadline();
                }
                backend.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (context().settings().keepAlive()) {
                    backend.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                }
            } else {
                backend.connect(address); // a local socket file: never slow
            }
            stats().connected(System.nanoTime() - connectStart);
        } catch (IOException e) {
            Logger.info("#{} backend {} failed: {}", id(), target, connectTimedOut
                    ? "no answer within " + context().settings().connectTimeout().toSeconds() + " s" : e.getMessage());
            return Outcome.LOCAL_CONNECT_FAILED;
        }
        if (rule.options().proxy() != ProxyProtocol.NONE) {
            try {
                ByteBuffer header = ByteBuffer.wrap(ProxyHeader.of(rule.options().proxy(), remote(client), local(client)));
                while (header.hasRemaining()) {
                    backend.write(header);
                }
            } catch (IOException e) {
                Logger.info("#{} backend {} failed before the PROXY header was sent: {}", id(), target, e.getMessage());
                return Outcome.LOCAL_CONNECT_FAILED;
            }
        }
        return null;
    }

    private void pump(Pump pump, Pump opposite) {
        try {
            // A clean end is only clean if the opposite pump's write into the same socket did not
            // just swallow the peer's reset; a write stuck on a slow peer is not waited for long.
            boolean clean = pump.copy() && !opposite.writeFailed(SETTLE_NANOS);
            firstToEnd.compareAndSet(null, pump);
            if (clean) {
                halfClose(pump.to());
            } else if (!expired()) {
                abort(); // the peer must see a reset, not a clean end, and the other pump must stop too
            }
        } catch (Throwable e) { // e.g. out of memory: the other pump must not wait for a peer that never hears
            abort();
            throw e;
        } finally {
            pump.completion().done();
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
    protected void closeSockets() {
        closeQuietly(client);
        closeQuietly(backend);
    }

    @Override
    protected void missedDeadline() {
        connectTimedOut = true;
        closeQuietly(backend); // the connect fails at once; the client is closed when the session ends
    }

    @Override
    protected boolean idleCounts() {
        return backendToClient != null;
    }

    @Override
    protected void closeIdle() {
        closeSockets(); // a FIN each way; the pumps end and forward() reports idle-timeout
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
}
