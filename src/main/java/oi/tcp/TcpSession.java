package oi.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import oi.live.Admission;
import oi.live.Session;
import oi.live.SessionStatus;
import oi.live.Shared;
import oi.live.Traffic;
import oi.report.Outcome;
import oi.rules.AccessList.Verdict;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;
import oi.rules.RuleOptions;
import oi.settings.Settings;
import org.tinylog.Logger;

/**
 * One accepted TCP (or Unix-socket) connection, from its access check to its log line: ACL,
 * backend connect, PROXY header, two pumps and the outcome, in {@link #run}, whose one
 * {@code finally} gives back everything the connection took.
 *
 * <p>{@link #run} runs on the connection's own thread, which becomes the client-to-backend pump;
 * a second thread runs backend-to-client. Stop ({@link #abort}) and the sweeper ({@link #sweep})
 * reach it from their own threads, and {@link State} says which of them got there first.
 */
public final class TcpSession implements Session {
    private static final long SETTLE_NANOS = 5_000_000;

    /** Where a connection is; moved on by compare-and-set, so that the first to end it names the outcome. */
    enum State {
        /** The access check and the backend connect, under {@code --connect-timeout}. */
        CONNECTING,
        /** Both pumps run, under the idle limit. */
        PUMPING,
        /** Ended: the client's direction first ({@code done-remote-closed}), or the backend's ({@code done-local-closed}). */
        CLIENT_CLOSED, BACKEND_CLOSED,
        /** Ended by the sweeper: no connect within {@code --connect-timeout}, or no bytes for the idle limit. */
        CONNECT_TIMED_OUT, IDLE_TIMED_OUT,
        /** Ended by stop before the connection got to pump. */
        STOPPED
    }

    private final Admission admission;
    private final SocketChannel client;
    private final Shared shared;
    private final Settings settings;
    private final BufferPool buffers;
    private final Traffic traffic = new Traffic();
    private final AtomicReference<State> state = new AtomicReference<>(State.CONNECTING);
    private final long idleLimitNanos;
    private volatile SocketChannel backend;
    private volatile long connectDeadlineNanos;

    /** The connection of an admitted client, whose socket and slot it owns from now on. */
    TcpSession(Admission admission, Shared shared, BufferPool buffers) {
        this.admission = admission;
        this.client = admission.client();
        this.shared = shared;
        this.settings = shared.settings();
        this.buffers = buffers;
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

    /** Closes both sockets, gives the slot back, writes the one report and leaves the registry. */
    private void finish(Outcome outcome) {
        Sockets.close(client);
        Sockets.close(backend);
        admission.slot().close(); // before leaving the registry: whoever sees no live connection may count on the slot
        try {
            shared.report().ended(admission.stats(), traffic.record(admission.clientText(), admission.rule().rule(), outcome));
        } finally {
            shared.live().remove(this); // last: stop waits for an empty registry, and so for this line
        }
    }

    private Outcome forward() throws InterruptedException {
        // Unix-socket clients have no IP address: the socket file's permissions guard them instead.
        if (admission.peer() instanceof InetSocketAddress address) {
            Verdict verdict = admission.rule().admits(address.getAddress());
            if (verdict != Verdict.ALLOWED) {
                Logger.debug("#{} {} refused: {}", id(), admission.clientText(), Outcome.of(verdict).word());
                return Outcome.of(verdict);
            }
        }
        Optional<Outcome> failed = connect(admission.rule().rule());
        if (failed.isPresent()) {
            return failed.get();
        }
        if (!state.compareAndSet(State.CONNECTING, State.PUMPING)) {
            return outcome(); // stopped, or timed out just as the connect came through
        }
        Pump clientToBackend = new Pump(client, backend, buffers, shared.threads(), traffic::countIn);
        Pump backendToClient = new Pump(backend, client, buffers, shared.threads(), traffic::countOut);
        shared.threads().start("oi-pump #" + id() + " b→c", () -> pump(backendToClient, clientToBackend, State.BACKEND_CLOSED));
        pump(clientToBackend, backendToClient, State.CLIENT_CLOSED);
        backendToClient.completion().await();
        return outcome();
    }

    /** Opens the backend socket, from {@code src=} if given, connects and sends the PROXY header; the failure, if any. */
    private Optional<Outcome> connect(ForwardRule rule) {
        Endpoint target = rule.connect();
        SocketAddress address;
        try {
            address = target.currentAddress();
            backend = SocketChannel.open(Endpoint.familyOf(address));
        } catch (IOException e) {
            Logger.warn("#{} cannot open a socket towards {}: {}", id(), target, e.getMessage());
            return Optional.of(e instanceof UnknownHostException ? Outcome.LOCAL_CONNECT_FAILED : Outcome.LOCAL_SOCKET_FAILED);
        }
        boolean ip = address instanceof InetSocketAddress;
        if (rule.options().source() != null && ip) {
            try {
                backend.bind(new InetSocketAddress(rule.options().source(), 0));
            } catch (IOException | RuntimeException e) { // e.g. an IPv4 src= towards an IPv6 backend
                Logger.warn("#{} cannot bind source address {}: {}", id(), rule.options().source(), e.getMessage());
                return Optional.of(Outcome.LOCAL_BIND_FAILED);
            }
        }
        try {
            long connectStart = System.nanoTime();
            if (ip) {
                // A plain blocking connect, which on a virtual thread parks on the poller: the timed
                // one of the socket adaptor toggles the socket's blocking mode with fcntl calls.
                // The sweeper enforces --connect-timeout instead, by closing the socket.
                connectDeadlineNanos = connectStart + settings.connectTimeout().toNanos();
                backend.connect(address);
                backend.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (settings.keepAlive()) {
                    backend.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                }
            } else {
                backend.connect(address); // a local socket file: never slow
            }
            admission.stats().connected(System.nanoTime() - connectStart);
        } catch (IOException e) {
            Logger.info("#{} backend {} failed: {}", id(), target, state.get() == State.CONNECT_TIMED_OUT
                    ? "no answer within " + settings.connectTimeout().toSeconds() + " s" : e.getMessage());
            return Optional.of(Outcome.LOCAL_CONNECT_FAILED);
        }
        try {
            ProxyHeader.send(rule.options().proxy(), backend, admission.peer(), client);
        } catch (IOException e) {
            Logger.info("#{} backend {} failed before the PROXY header was sent: {}", id(), target, e.getMessage());
            return Optional.of(Outcome.LOCAL_CONNECT_FAILED);
        }
        return Optional.empty();
    }

    /** Runs one pump to its end and passes that end on: a half-close when clean, a reset of both sockets when not. */
    private void pump(Pump pump, Pump opposite, State endedFirst) {
        try {
            // A clean end is only clean if the opposite pump's write into the same socket did not
            // just swallow the peer's reset; a write stuck on a slow peer is not waited for long.
            boolean clean = pump.copy() && !opposite.writeFailed(SETTLE_NANOS);
            state.compareAndSet(State.PUMPING, endedFirst);
            if (clean) {
                halfClose(pump.to());
            } else if (state.get() != State.IDLE_TIMED_OUT) {
                reset(); // the peer must see a reset, not a clean end, and the other pump must stop too
            }
        } catch (Throwable e) { // e.g. out of memory: the other pump must not wait for a peer that never hears
            reset();
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
            reset();
        }
    }

    /** The log word for where the connection ended up, in rinetd's naming: "local" is the backend. */
    private Outcome outcome() {
        return switch (state.get()) {
            case CLIENT_CLOSED -> Outcome.DONE_REMOTE_CLOSED;
            case BACKEND_CLOSED, STOPPED -> Outcome.DONE_LOCAL_CLOSED;
            case CONNECT_TIMED_OUT -> Outcome.LOCAL_CONNECT_FAILED;
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
                long deadline = connectDeadlineNanos;
                if (deadline != 0 && nowNanos - deadline > 0 && state.compareAndSet(State.CONNECTING, State.CONNECT_TIMED_OUT)) {
                    Sockets.close(backend); // the connect fails at once; the client is closed when the connection ends
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
        return admission.status(traffic);
    }

    /** Resets both sockets, which wakes any blocked pump; each peer sees a reset, not a clean end. */
    private void reset() {
        Sockets.reset(client);
        Sockets.reset(backend);
    }
}
