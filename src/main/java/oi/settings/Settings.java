package oi.settings;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The tunables given on the command line, shared by every listener.
 *
 * @param bufferSize bytes each pump reads at most at once ({@code --buffer})
 * @param threads the thread model of the pumps ({@code --threads})
 * @param connectTimeout how long a backend connect may take ({@code --connect-timeout})
 * @param maxConns live TCP connections allowed in the whole process ({@code --max-conns})
 * @param idleTimeout how long a TCP connection may carry no bytes before it is closed; zero
 *     for never ({@code --idle-timeout}); a rule's {@code [idle=N]} overrides it
 * @param keepAlive whether TCP keepalive is set on both sockets ({@code --no-keepalive} clears it)
 * @param drain how long SIGTERM lets live connections finish before closing them ({@code --drain})
 * @param io how the pumps read and write ({@code --io})
 * @param udpSessions live client sessions each UDP rule keeps before evicting the least recently
 *     used one ({@code --udp-sessions})
 * @param syslog whether the connection log goes to syslog whatever the rules file says ({@code --syslog})
 * @param scheduler who runs the virtual threads ({@code --scheduler}); platform threads ignore it
 * @param bufferMemory bytes all pooled full-size buffers may take together; 0 for half the JVM's
 *     limit ({@code --buffer-memory})
 */
public record Settings(int bufferSize, ThreadModel threads, Duration connectTimeout,
                       int maxConns, Duration idleTimeout, boolean keepAlive, Duration drain, IoMode io, int udpSessions,
                       boolean syslog, long bufferMemory, Scheduler scheduler) {

    /** The defaults of the command line. */
    public static final Settings DEFAULTS = new Settings(64 * 1024, ThreadModel.VIRTUAL, Duration.ofSeconds(10),
            4096, Duration.ZERO, true, Duration.ZERO, IoMode.AUTO, 10_000, false, 0, Scheduler.POLLER);

    /** A copy with some settings changed, e.g. {@code DEFAULTS.with(s -> s.drain = Duration.ofSeconds(8))}. */
    public Settings with(Consumer<Builder> changes) {
        Builder builder = new Builder(this);
        changes.accept(builder);
        return builder.build();
    }

    /** The settings as fields to change in {@link #with}; each field is the record component of its name. */
    public static final class Builder {
        /** See {@link Settings#bufferSize}. */
        public int bufferSize;
        /** See {@link Settings#threads}. */
        public ThreadModel threads;
        /** See {@link Settings#connectTimeout}. */
        public Duration connectTimeout;
        /** See {@link Settings#maxConns}. */
        public int maxConns;
        /** See {@link Settings#idleTimeout}. */
        public Duration idleTimeout;
        /** See {@link Settings#keepAlive}. */
        public boolean keepAlive;
        /** See {@link Settings#drain}. */
        public Duration drain;
        /** See {@link Settings#io}. */
        public IoMode io;
        /** See {@link Settings#udpSessions}. */
        public int udpSessions;
        /** See {@link Settings#syslog}. */
        public boolean syslog;
        /** See {@link Settings#bufferMemory}. */
        public long bufferMemory;
        /** See {@link Settings#scheduler}. */
        public Scheduler scheduler;

        private Builder(Settings from) {
            bufferSize = from.bufferSize;
            threads = from.threads;
            connectTimeout = from.connectTimeout;
            maxConns = from.maxConns;
            idleTimeout = from.idleTimeout;
            keepAlive = from.keepAlive;
            drain = from.drain;
            io = from.io;
            udpSessions = from.udpSessions;
            syslog = from.syslog;
            bufferMemory = from.bufferMemory;
            scheduler = from.scheduler;
        }

        private Settings build() {
            return new Settings(bufferSize, threads, connectTimeout, maxConns, idleTimeout, keepAlive, drain, io, udpSessions,
                    syslog, bufferMemory, scheduler);
        }
    }
}
