package oi.runtime;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import oi.acl.AddressPattern;
import oi.log.Outcome;
import oi.stats.ConnectionOpenedEvent;
import org.tinylog.Logger;

/**
 * One client's session — a TCP connection, a tcp→udp bridge or a UDP client — from its entry in
 * the live registry to its one log line. This class owns what every kind shares: the id, the
 * start time, the byte counts and last activity, the registry entry, the limit slots and an
 * end that happens exactly once, closes every socket and reports. A kind supplies only how it
 * forwards ({@link #forward}), how it closes ({@link #closeSockets}) and how it aborts.
 *
 * <p>A connection runs on a thread of its own from {@link #start} to its end; a UDP client is
 * driven by its listener's threads, {@linkplain #register registered} when it first speaks and
 * ended by {@link #end}.
 */
public abstract class Session {
    private final Admission admission;
    private final long idleLimitNanos;
    private final String clientText;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long bytesIn;
    private volatile long bytesOut;
    private volatile long lastActivityNanos = startNanos;
    private volatile boolean expired;
    private volatile long deadlineNanos;

    /**
     * A session for an admitted client; nothing runs until {@link #start} or {@link #register}.
     *
     * @param idleLimitNanos how long it may carry nothing before {@link #closeIdle}; 0 for no limit
     */
    protected Session(Admission admission, long idleLimitNanos) {
        this.admission = admission;
        this.idleLimitNanos = idleLimitNanos;
        this.clientText = logText(admission.client());
    }

    /**
     * Moves bytes until the session is over and says how it ended; runs on the session's own
     * thread. Whatever it throws, {@link #end} still closes the sockets and logs.
     */
    protected Outcome forward() throws Exception {
        throw new UnsupportedOperationException("a session without a thread of its own is ended by end()");
    }

    /** Closes every socket of the session; called once, by {@link #end}. */
    protected abstract void closeSockets() throws Exception;

    /** Ends the session at once, resetting its sockets; safe to call from any thread, more than once. */
    public abstract void abort();

    /**
     * Ends the session if it has carried no bytes for longer than its idle limit. Called by the
     * one sweeper thread of {@link LiveSessions}, never per connection.
     *
     * @param nowNanos the sweeper's {@link System#nanoTime()}
     */
    public final void expireIfIdle(long nowNanos) {
        long deadline = deadlineNanos;
        if (deadline != 0 && nowNanos - deadline > 0) {
            deadlineNanos = 0;
            missedDeadline();
        }
        long idle = nowNanos - lastActivityNanos;
        if (idleLimitNanos > 0 && idle > idleLimitNanos && !expired && idleCounts()) {
            expired = true;
            Logger.debug("#{} idle for {} ms: closing", id(), idle / 1_000_000);
            closeIdle();
        }
    }

    /**
     * Gives the step the session takes now, such as a backend connect, until {@code nanos} from
     * now; past that the sweeper calls {@link #missedDeadline}. One deadline at a time, checked
     * by the one sweeper thread instead of a timer per connection.
     */
    protected final void deadline(long nanos) {
        deadlineNanos = System.nanoTime() + nanos;
    }

    /** The step given a {@link #deadline} is done in time. */
    protected final void metDeadline() {
        deadlineNanos = 0;
    }

    /** What a session does when a step outlives its {@link #deadline}: abort, unless a kind says otherwise. */
    protected void missedDeadline() {
        abort();
    }

    /** Whether idleness counts yet: a connection still connecting is covered by the connect timeout instead. */
    protected boolean idleCounts() {
        return true;
    }

    /** Ends an idle session the way its kind should; an idle peer gets a plain close, not a reset. */
    protected abstract void closeIdle();

    /** Whether the idle limit ended this session, so that it logs {@code idle-timeout}. */
    protected final boolean expired() {
        return expired;
    }

    /** The outcome to log for {@code proposed}; a kind that remembers an earlier verdict may override it. */
    protected Outcome reported(Outcome proposed) {
        return proposed;
    }

    /**
     * Registers the session and runs it on a new thread of {@code threads}; when no thread can
     * be had the session ends at once as {@code local-socket-failed}, and the listener serves on.
     */
    public final void start(Threads threads, String name) {
        register();
        try {
            threads.start(name, this::runToEnd);
        } catch (OutOfMemoryError | RuntimeException e) {
            Logger.error("#{} cannot start a thread: {}", id(), e.toString());
            end(Outcome.LOCAL_SOCKET_FAILED);
        }
    }

    /** Enters the live registry and counts the session as opened; before any thread can end it. */
    public final void register() {
        admission.context().live().add(this);
        admission.stats().opened();
        ConnectionOpenedEvent opened = new ConnectionOpenedEvent();
        if (opened.isEnabled()) {
            opened.rule = rule().rule().toString();
            opened.client = clientText;
            opened.commit();
        }
    }

    private void runToEnd() {
        Outcome outcome = Outcome.INTERNAL_ERROR;
        try {
            outcome = forward();
        } catch (Throwable e) { // a bug or an Error (e.g. out of memory) ends this session only, cleanly
            Logger.error("#{} {} failed: {}", id(), clientText, e.toString());
            Logger.debug(e, "#{}", id());
        } finally {
            end(outcome);
        }
    }

    /**
     * Closes every socket, gives the limit slots back, writes the log line, statistics and
     * Flight Recorder event, and leaves the registry; only the first call counts.
     */
    public final void end(Outcome outcome) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            closeSockets();
        } catch (Throwable e) {
            Logger.warn("#{} closing: {}", id(), e.toString());
        } finally {
            admission.release().run(); // before leaving the registry: whoever sees no live session may count on the slot
            admission.context().record(admission.stats(), clientText, rule().rule(), reported(outcome), startNanos, bytesIn,
                    bytesOut, true);
            admission.context().live().remove(this);
        }
    }

    /** Whether {@link #end} has run. */
    protected final boolean ended() {
        return ended.get();
    }

    /** Counts bytes received from the client and forwarded; called by one thread only. */
    protected final void countIn(long n) {
        lastActivityNanos = System.nanoTime();
        bytesIn += n; // one writer: volatile only so that other threads read a fresh count
    }

    /** Counts bytes sent to the client; called by one thread only. */
    protected final void countOut(long n) {
        lastActivityNanos = System.nanoTime();
        bytesOut += n;
    }

    /** Marks activity that moved no bytes yet (a datagram on its way to a backend still opening). */
    protected final void touch() {
        lastActivityNanos = System.nanoTime();
    }

    /** The id that names this session's threads and log lines. */
    public final long id() {
        return admission.id();
    }

    /** The rule in force when the client arrived. */
    public final ActiveRule rule() {
        return admission.rule();
    }

    /** What the whole process shares. */
    protected final Context context() {
        return admission.context();
    }

    /** The rule's counters, e.g. for a backend's connect time. */
    protected final oi.stats.RuleStats stats() {
        return admission.stats();
    }

    /** The client as the log shows it: its IP address, or {@code unix} for a Unix-socket client. */
    protected final String clientText() {
        return clientText;
    }

    /** What {@code /status} shows of this session. */
    public final SessionStatus status() {
        SocketAddress client = admission.client();
        String shown = client instanceof InetSocketAddress address
                ? AddressPattern.canonicalText(address.getAddress()) + ":" + address.getPort() : clientText;
        return new SessionStatus(id(), rule().rule().toString(), shown, rule().rule().connect().toString(),
                Duration.ofNanos(System.nanoTime() - startNanos), bytesIn, bytesOut);
    }

    /** A client address as the log shows it: the IP address alone, or {@code unix}. */
    public static String logText(SocketAddress client) {
        return client instanceof InetSocketAddress address ? AddressPattern.canonicalText(address.getAddress()) : "unix";
    }
}
