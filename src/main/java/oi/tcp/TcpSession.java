package oi.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
import oi.rules.ProxyProtocol;
import oi.rules.RuleOptions;
import oi.settings.NoDelay;
import oi.settings.Settings;
import oi.threads.EdgePoller;
import org.tinylog.Logger;

/**
 * One accepted TCP (or Unix-socket) connection, from its access check to its log line: a PROXY
 * header taken ({@code acceptproxy=}), ACL, backend connect (the next backend when one fails),
 * PROXY header sent, two pumps and the outcome, in {@link #run}, whose one {@code finally} gives
 * back everything the connection took.
 *
 * <p>{@link #run} runs on the connection's own thread, which becomes the client-to-backend pump;
 * a second thread runs backend-to-client. Stop ({@link #abort}) and the sweeper ({@link #sweep})
 * reach it from their own threads, and {@link State} says which of them got there first.
 */
public final class TcpSession implements Session {
    private static final long SETTLE_NANOS = 5_000_000;

    /** Where a connection is; moved on by compare-and-set, so that the first to end it names the outcome. */
    enum State {
        /** The access check and the backend connects, each under {@code --connect-timeout}. */
        CONNECTING,
        /** Both pumps run, under the idle limit. */
        PUMPING,
        /** Ended: the client's direction first ({@code done-remote-closed}), or the backend's ({@code done-local-closed}). */
        CLIENT_CLOSED, BACKEND_CLOSED,
        /** Ended by the sweeper: no bytes for the idle limit. */
        IDLE_TIMED_OUT,
        /** Ended by stop before the connection got to pump. */
        STOPPED
    }

    private volatile Admission admission; // a PROXY header from the client replaces its peer
    private final SocketChannel client;
    private final Shared shared;
    private final Settings settings;
    private final BufferPool buffers;
    private final Throttle.Rule ruleThrottles;
    private final Traffic traffic = new Traffic();
    private final AtomicReference<State> state = new AtomicReference<>(State.CONNECTING);
    private final long idleLimitNanos;
    private volatile SocketChannel backend;
    private volatile EdgePoller.Watch backendWatch; // with oi's poller: taken by the connect, let go by finish
    private volatile Pending pending;
    private volatile Endpoint serving;
    private BackendState served;
    private ProxyHeader.Received heard = ProxyHeader.Received.NOTHING; // with acceptproxy=: what the client's header said

    /** A step under way (a client's PROXY header, a backend connect) that the sweeper ends by closing its socket past the deadline. */
    private record Pending(SocketChannel channel, long deadlineNanos, AtomicBoolean expired) {
        Pending(SocketChannel channel, Duration limit) {
            this(channel, System.nanoTime() + limit.toNanos(), new AtomicBoolean());
        }
    }

    /** The connection of an admitted client, whose socket and slot it owns from now on. */
    TcpSession(Admission admission, Shared shared, BufferPool buffers, Throttle.Rule ruleThrottles) {
        this.admission = admission;
        this.ruleThrottles = ruleThrottles;
        this.client = admission.client();
        this.shared = shared;
        this.settings = shared.settings();
        this.buffers = buffers;
        this.serving = admission.rule().rule().connect();
        int ruleIdle = admission.rule().rule().options().idleSeconds(); // [idle=N], else --idle-timeout
        this.idleLimitNanos = ruleIdle == RuleOptions.INHERIT ? settings.idleTimeout().toNanos()
                                                              : Duration.ofSeconds(ruleIdle).toNanos();
    }

    /** Registers the connection and runs it on a thread of its own; without a thread it ends at once. */
    void start() {
        shared.live().add(this); // before any thread runs: stop must see every connection
        shared.report().opened(admission.stats(), admission.rule().rule(), admission.clientText());
        try {
            shared.threads().start("oi-pump #" + id() + " c→b", this::run);
        } catch (OutOfMemoryError | RuntimeException e) {
            Logger.error("#{} cannot start a thread: {}", id(), e.toString());
            finish(Outcome.LOCAL_SOCKET_FAILED);
        }
    }

    /** The connection's whole life on its own thread: every step, then the one finish, whatever happens. */
    private void run() {
        Outcome outcome = Outcome.INTERNAL_ERROR;
        try {
            outcome = forward();
        } catch (Throwable e) { // a bug or an Error (e.g. out of memory) ends this connection only, cleanly
            Logger.error("#{} {} failed: {}", id(), admission.clientText(), e.toString());
            Logger.debug(e, "#{}", id());
        } finally {
            finish(outcome);
        }
    }

    /** Closes both sockets, gives the slot and the backend back, writes the one report and leaves the registry. */
    private void finish(Outcome outcome) {
        Sockets.close(client);
        Sockets.close(backend);
        letGoOfBackendWatch();
        if (served != null) {
            served.release();
        }
        admission.slot().close(); // before leaving the registry: whoever sees no live connection may count on the slot
        try {
            shared.report().ended(admission.stats(), traffic.record(admission.clientText(), admission.rule().rule(), serving, outcome));
        } finally {
            shared.live().remove(this); // last: stop waits for an empty registry, and so for this line
        }
    }

    private Outcome forward() throws InterruptedException {
        Optional<Outcome> unheard = receiveProxyHeader();
        if (unheard.isPresent()) {
            return unheard.get();
        }
        // Unix-socket clients have no IP address: the socket file's permissions guard them instead.
        if (admission.peer() instanceof InetSocketAddress address) {
            Verdict verdict = admission.rule().admits(address.getAddress());
            if (verdict != Verdict.ALLOWED) {
                Logger.debug("#{} {} refused: {}", id(), admission.clientText(), Outcome.of(verdict).word());
                return Outcome.of(verdict);
            }
        }
        Optional<Outcome> failed = connect();
        if (failed.isPresent()) {
            return failed.get();
        }
        if (!state.compareAndSet(State.CONNECTING, State.PUMPING)) {
            return outcome(); // stopped just as the connect came through
        }
        traffic.countIn(heard.early().remaining());
        RuleOptions.Rates rates = admission.rule().rule().options().rates();
        boolean nagleInBulk = settings.noDelay() == NoDelay.AUTO && admission.rule().rule().bind() instanceof Endpoint.Inet
                && serving instanceof Endpoint.Inet; // a Unix socket has no Nagle
        Pump clientToBackend = new Pump(client, backend, buffers, shared.threads(), traffic::countIn, ruleThrottles.in(rates), nagleInBulk);
        Pump backendToClient = new Pump(backend, client, buffers, shared.threads(), traffic::countOut, ruleThrottles.out(rates),
                nagleInBulk);
        shared.threads().start("oi-pump #" + id() + " b→c", () -> pump(backendToClient, clientToBackend, State.BACKEND_CLOSED));
        pump(clientToBackend, backendToClient, State.CLIENT_CLOSED);
        backendToClient.completion().await();
        return outcome();
    }

    /** With {@code acceptproxy=}, the header of a trusted peer, whose real client then stands for the peer everywhere. */
    private Optional<Outcome> receiveProxyHeader() {
        RuleOptions.Accept accept = admission.rule().rule().options().accept();
        if (accept.version() == ProxyProtocol.NONE) {
            return Optional.empty();
        }
        if (accept.from() != null && !(admission.peer() instanceof InetSocketAddress peer && accept.from().matches(peer.getAddress()))) {
            Logger.info("#{} {} refused: not among proxyfrom={}", id(), admission.clientText(), accept.from().text());
            return Optional.of(Outcome.UNTRUSTED_PROXY);
        }
        Pending reading = new Pending(client, settings.connectTimeout());
        pending = reading;
        try {
            heard = ProxyHeader.receive(client, accept.version());
            if (heard.source() != null) { // LOCAL and UNKNOWN leave the peer as it is
                admission = admission.withPeer(heard.source());
            }
            return Optional.empty();
        } catch (ProxyHeader.Malformed | IOException e) {
            Logger.info("#{} {} refused: {}", id(), admission.clientText(), reading.expired().get()
                    ? "no PROXY header within " + settings.connectTimeout().toSeconds() + " s" : e.getMessage());
            return Optional.of(Outcome.BAD_PROXY_HEADER);
        }
    }

    /** Connects to one of the rule's backends, moving on to the next while a connect fails; the failure, if all do. */
    private Optional<Outcome> connect() {
        return switch (admission.backends().open(id(), admission.clientAddress(), this::open, () -> state.get() == State.CONNECTING)) {
            case Attempt.Opened<SocketChannel> opened -> {
                served = opened.backend();
                yield Optional.empty();
            }
            case Attempt.Failed<SocketChannel> failed -> Optional.of(failed.outcome());
        };
    }

    /** Opens a socket to one backend and connects it; on a failure the socket is closed again. */
    private SocketChannel open(Endpoint target) throws ConnectFailure {
        serving = target;
        Outbound<SocketChannel> outbound = Outbound.open(target, admission.rule().rule().options().source(), SocketChannel::open);
        backend = outbound.channel(); // from now on stop and finish close it
        try {
            connect(outbound.channel(), outbound.address());
            return outbound.channel();
        } catch (ConnectFailure e) {
            Sockets.close(outbound.channel());
            letGoOfBackendWatch();
            throw e;
        }
    }

    private void letGoOfBackendWatch() {
        EdgePoller.Watch watch = backendWatch;
        if (watch != null) {
            backendWatch = null;
            watch.release();
        }
    }

    /** Connects under {@code --connect-timeout} and sends the PROXY header and the bytes that came with the client's. */
    private void connect(SocketChannel channel, SocketAddress address) throws ConnectFailure {
        boolean ip = address instanceof InetSocketAddress;
        // A plain blocking connect, which on a virtual thread parks on the JDK's write poller, or
        // one that waits on oi's poller, where the pumps then find the socket registered: the
        // timed one of the socket adaptor toggles the socket's blocking mode with fcntl calls. The
        // sweeper enforces --connect-timeout instead, by closing the socket.
        long connectStart = System.nanoTime();
        Pending connecting = new Pending(channel, settings.connectTimeout());
        pending = connecting;
        try {
            if (buffers.poller() != null) {
                backendWatch = buffers.poller().connect(channel, address);
            } else {
                channel.connect(address);
            }
            if (ip) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (settings.keepAlive()) {
                    channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                }
            }
            admission.stats().connected(System.nanoTime() - connectStart);
        } catch (IOException e) {
            throw new ConnectFailure(Outcome.LOCAL_CONNECT_FAILED, connecting.expired().get()
                    ? "no answer within " + settings.connectTimeout().toSeconds() + " s" : e.getMessage());
        }
        try {
            ProxyHeader.send(admission.rule().rule().options().proxy(), channel, admission.peer(), heard.destination(), client,
                    heard.early());
        } catch (IOException e) {
            throw new ConnectFailure(Outcome.LOCAL_CONNECT_FAILED, "before the first bytes were sent: " + e.getMessage());
        }
    }

    /** Runs one pump to its end and passes that end on: a half-close when clean, a reset of both sockets when not. */
    private void pump(Pump pump, Pump opposite, State endedFirst) {
        try {
            // A clean end is only clean if the opposite pump's write into the same socket did not
            // just swallow the peer's reset; a write stuck on a slow peer is not waited for long.
            boolean clean = pump.copy() && !opposite.writeFailed(SETTLE_NANOS);
            state.compareAndSet(State.PUMPING, endedFirst);
            if (clean) {
                pump.to().shutdownOutput(); // the peer reads end of stream while its own direction runs on
            } else if (state.get() != State.IDLE_TIMED_OUT) {
                reset(); // the peer must see a reset, not a clean end, and the other pump must stop too
            }
        } catch (IOException e) {
            reset();
        } catch (Throwable e) { // e.g. out of memory: the other pump must not wait for a peer that never hears
            reset();
            throw e;
        } finally {
            pump.completion().done();
        }
    }

    /** The log word for where the connection ended up, in rinetd's naming: "local" is the backend. */
    private Outcome outcome() {
        return switch (state.get()) {
            case CLIENT_CLOSED -> Outcome.DONE_REMOTE_CLOSED;
            case BACKEND_CLOSED, STOPPED -> Outcome.DONE_LOCAL_CLOSED;
            case IDLE_TIMED_OUT -> Outcome.IDLE_TIMEOUT;
            case CONNECTING, PUMPING -> Outcome.INTERNAL_ERROR; // both pumps are done: cannot be
        };
    }

    @Override
    public void abort() {
        state.compareAndSet(State.CONNECTING, State.STOPPED); // a connection stopped while connecting must not pump
        reset();
    }

    @Override
    public void sweep(long nowNanos) {
        switch (state.get()) {
            case CONNECTING -> {
                Pending connecting = pending;
                if (connecting != null && nowNanos - connecting.deadlineNanos() > 0 && connecting.expired().compareAndSet(false, true)) {
                    Sockets.close(connecting.channel()); // the step fails at once: a connect moves on to the next backend
                }
            }
            case PUMPING -> {
                if (traffic.idleLongerThan(idleLimitNanos, nowNanos) && state.compareAndSet(State.PUMPING, State.IDLE_TIMED_OUT)) {
                    Logger.debug("#{} idle for {} ms: closing", id(), traffic.idleMillis(nowNanos));
                    Sockets.close(client); // a FIN each way, not a reset: the pumps end and the outcome is idle-timeout
                    Sockets.close(backend);
                }
            }
            default -> {
            }
        }
    }

    @Override
    public long id() {
        return admission.id();
    }

    @Override
    public SessionStatus status() {
        return admission.status(traffic, serving);
    }

    /** Resets both sockets, which wakes any blocked pump; each peer sees a reset, not a clean end. */
    private void reset() {
        Sockets.reset(client);
        Sockets.reset(backend);
    }
}
