package oi.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import oi.config.ConfigError;
import oi.config.ConfigException;
import oi.config.ConfigParser;
import oi.live.Listener;
import oi.live.LiveSessions;
import oi.live.Shared;
import oi.rules.ActiveRule;
import oi.rules.Config;
import oi.rules.ForwardRule;
import oi.rules.LogTarget;
import oi.rules.Lookups;
import oi.settings.Settings;
import oi.tcp.BufferPool;
import org.tinylog.Logger;

/**
 * The running forwarder: one listener per rule, the connection log and the pid file, with
 * reload (SIGHUP) and stop (SIGTERM) as rinetd has them; each of the three tells systemd
 * ({@link SystemdNotify}) when it is done, or begins.
 *
 * <p>{@link #start}, {@link #reload} and {@link #stop} may be called from any thread. The lock
 * guards only the listener table and the config: file reading, name lookups and the drain run
 * outside it, so observers ({@link #listeners}) are never held up. Live connections are never
 * touched by a reload.
 */
public final class Forwarder implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final Settings settings;
    private final ConfigParser parser;
    private final Shared shared;
    private final BufferPool buffers;
    private final SystemdNotify systemd;
    private final Listeners opener;
    private final ReentrantLock lock = new ReentrantLock();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<String, Listener> listeners = new LinkedHashMap<>();
    private Config config;
    private boolean running;
    private boolean stopping;

    /** A forwarder with the command line's settings that tells no service manager anything; the parser is used again on reload. */
    public Forwarder(Settings settings, ConfigParser parser) {
        this(settings, parser, SystemdNotify.OFF);
    }

    /** A forwarder that tells {@code systemd} when it is ready, reloading and stopping. */
    public Forwarder(Settings settings, ConfigParser parser, SystemdNotify systemd) {
        this.settings = settings;
        this.parser = parser;
        this.systemd = systemd;
        this.shared = Shared.create(this.settings);
        this.buffers = BufferPool.create(this.settings);
        this.opener = new Listeners(this.settings, shared, buffers);
    }

    /**
     * Binds every rule of the config and starts serving; on any failure nothing stays bound.
     *
     * @throws StartupException naming what could not be bound or opened
     */
    public void start(Config initial) throws StartupException {
        lock.lock();
        try {
            if (stopping) {
                return; // stopped before it started, e.g. by an early SIGTERM
            }
            Map<String, Listener> bound = opener.bindAll(initial, Map.of());
            try {
                shared.report().log().configure(logTarget(initial), initial.logCommon());
            } catch (IOException e) {
                bound.values().forEach(Listener::close);
                throw new StartupException("cannot open logfile " + initial.logFile() + ": " + ConfigError.reasonOf(e));
            }
            listeners.putAll(bound);
            config = initial;
            running = true;
            PidFile.write(initial.pidLogFile());
            opener.start(listeners.values());
            Listeners.warnOfBelievedHeaders(initial);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells the service manager that oi serves ({@code READY=1}), once everything it listens on
     * is bound: the rules' ports by {@link #start}, and {@code --metrics} by its caller.
     */
    public void ready() {
        lock.lock();
        try {
            if (running && !stopping) {
                systemd.ready("listening: " + rules(config) + " from " + config.source());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads the rules file again and swaps the new rules in: removed rules stop listening, new
     * ones start, changed access lists apply to new clients, and live connections go on.
     * A file with errors or a bind failure leaves the running config as it was. systemd hears
     * {@code RELOADING=1} first and {@code READY=1} with the outcome last, unless a stop came between.
     *
     * @return whether the new config is now in force
     */
    public boolean reload() {
        Path source;
        lock.lock();
        try {
            if (!running) {
                return false;
            }
            source = config.source();
        } finally {
            lock.unlock();
        }
        systemd.reloading();
        Optional<String> rejection = reloadFrom(source);
        lock.lock();
        try {
            if (!running) {
                return false; // a stop came between: systemd has heard STOPPING=1 instead
            }
            systemd.ready(rejection.map(why -> "reload rejected, still " + rules(config) + " from " + config.source() + ": " + why)
                    .orElseGet(() -> "reloaded: " + rules(config) + " from " + config.source()));
        } finally {
            lock.unlock();
        }
        return rejection.isEmpty();
    }

    /** Parses {@code source} and swaps it in: empty when it is in force, else why it is not. */
    private Optional<String> reloadFrom(Path source) {
        Config next;
        try {
            Lookups.forget(); // a reload looks every backend name up again, for new connections too
            next = parser.parse(source); // outside the lock: its name lookups must not hold up status or stop
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                Logger.error("reload rejected: {}", error);
            }
            return Optional.of(firstOf(e.errors().stream().map(ConfigError::toString).toList()));
        }
        lock.lock();
        try {
            return running ? swapIn(next) : Optional.of("oi is stopping");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Binds what {@code next} adds, keeps what it keeps, closes what it drops; under the lock.
     *
     * @return empty when {@code next} is in force, else why it is not
     */
    private Optional<String> swapIn(Config next) {
        Map<String, Listener> added;
        try {
            added = opener.bindAll(next, listeners);
        } catch (StartupException e) {
            Logger.error("reload rejected: {}", e.getMessage());
            return Optional.of(firstOf(e.getMessage().lines().toList()));
        }
        try {
            shared.report().log().configure(logTarget(next), next.logCommon());
        } catch (IOException e) {
            Logger.error("reload: cannot open logfile {}: {}; connection log unchanged", next.logFile(), ConfigError.reasonOf(e));
        }
        Map<String, Listener> kept = new LinkedHashMap<>();
        for (ForwardRule rule : next.rules()) {
            String key = rule.listenKey();
            Listener listener = listeners.remove(key);
            if (listener != null) {
                listener.update(new ActiveRule(rule, next.globalAccess()));
                kept.put(key, listener);
            } else {
                kept.put(key, added.get(key));
            }
        }
        listeners.values().forEach(listener -> {
            Logger.info("stopped listening on {}", listener.localAddress());
            listener.close();
        });
        listeners.clear();
        listeners.putAll(kept);
        opener.start(added.values());
        if (!Objects.equals(config.pidLogFile(), next.pidLogFile())) {
            PidFile.delete(config.pidLogFile());
            PidFile.write(next.pidLogFile());
        }
        config = next;
        Logger.info("reloaded {}: {} rules", next.source(), next.rules().size());
        return Optional.empty();
    }

    /** "N rules", for systemd's status line. */
    private static String rules(Config config) {
        return config.rules().size() + (config.rules().size() == 1 ? " rule" : " rules");
    }

    /** The first of several problems, and how many more there are: what fits systemd's one status line. */
    private static String firstOf(List<String> problems) {
        return problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    }

    /** Reopens the connection log, for log rotation. */
    public void reopenLog() {
        shared.report().log().reopen();
    }

    /**
     * Stops listening, lets live connections finish for up to {@code --drain}, ends the rest
     * (each still logs its line), removes the pid file and releases {@link #awaitStop}. Idempotent.
     */
    public void stop() {
        List<Listener> closing;
        Path pidFile;
        lock.lock();
        try {
            if (stopping) {
                return;
            }
            stopping = true;
            systemd.stopping();
            if (!running) {
                stopped.countDown();
                return;
            }
            running = false;
            closing = List.copyOf(listeners.values());
            pidFile = config.pidLogFile();
        } finally {
            lock.unlock();
        }
        // The drain runs outside the lock, so /status, /metrics and SIGUSR1 answer throughout;
        // the closed listeners stay listed with their counters until the end.
        try {
            closing.forEach(Listener::close);
            Duration drain = settings.drain();
            if (drain.isPositive() && shared.live().count() > 0) {
                Logger.info("draining {} connections for up to {} s", shared.live().count(), drain.toSeconds());
                shared.live().awaitEmpty(drain);
            }
            shared.live().abortAll();
            if (!shared.live().awaitEmpty(STOP_GRACE)) {
                Logger.warn("{} connections still closing at exit", shared.live().count());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shared.live().abortAll();
        } finally {
            shared.report().log().close();
            shared.live().close();
            PidFile.delete(pidFile);
            stopped.countDown();
        }
    }

    /** Ends every live connection now, cutting a drain short (a second SIGTERM). */
    public void hurry() {
        shared.live().abortAll();
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop();
    }

    /** The listeners in rule order, for tests and status: each knows its rule and bound port. */
    public List<Listener> listeners() {
        lock.lock();
        try {
            return List.copyOf(listeners.values());
        } finally {
            lock.unlock();
        }
    }

    /** The pooled full-size buffers and their budget, for {@code /metrics}. */
    public BufferPool buffers() {
        return buffers;
    }

    /** The registry of live sessions. */
    public LiveSessions live() {
        return shared.live();
    }

    /** The rules file's logfile, unless {@code --syslog} sends the log to syslog. */
    private LogTarget logTarget(Config config) {
        return settings.syslog() ? LogTarget.Syslog.LOCAL : config.logFile();
    }
}
