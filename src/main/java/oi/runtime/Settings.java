package oi.runtime;

import java.time.Duration;

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

    /** A copy with another buffer size. */
    public Settings withBufferSize(int bytes) {
        return new Settings(bytes, threads, connectTimeout, maxConns, idleTimeout, keepAlive, drain, io, udpSessions, syslog, bufferMemory, scheduler);
    }

    /** A copy with another thread model. */
    public Settings withThreads(ThreadModel model) {
        return new Settings(bufferSize, model, connectTimeout, maxConns, idleTimeout, keepAlive, drain, io, udpSessions, syslog, bufferMemory, scheduler);
    }

    /** A copy with another process-wide connection limit. */
    public Settings withMaxConns(int limit) {
        return new Settings(bufferSize, threads, connectTimeout, limit, idleTimeout, keepAlive, drain, io, udpSessions, syslog, bufferMemory, scheduler);
    }

    /** A copy with another idle timeout. */
    public Settings withIdleTimeout(Duration timeout) {
        return new Settings(bufferSize, threads, connectTimeout, maxConns, timeout, keepAlive, drain, io, udpSessions, syslog, bufferMemory, scheduler);
    }

    /** A copy with another I/O mode. */
    public Settings withIo(IoMode mode) {
        return new Settings(bufferSize, threads, connectTimeout, maxConns, idleTimeout, keepAlive, drain, mode, udpSessions, syslog, bufferMemory, scheduler);
    }

    /** A copy with another UDP session bound. */
    public Settings withUdpSessions(int bound) {
        return new Settings(bufferSize, threads, connectTimeout, maxConns, idleTimeout, keepAlive, drain, io, bound, syslog, bufferMemory, scheduler);
    }

    /** A copy with another buffer budget. */
    public Settings withBufferMemory(long bytes) {
        return new Settings(bufferSize, threads, connectTimeout, maxConns, idleTimeout, keepAlive, drain, io, udpSessions, syslog, bytes, scheduler);
    }

    /** The budget of the pooled buffers in bytes: {@code --buffer-memory}, or half the JVM's limit for their kind. */
    public long bufferBudget() {
        return bufferMemory > 0 ? bufferMemory : MemoryLimits.defaultBudget(io != IoMode.STREAM);
    }

    /** A copy with another scheduler for virtual threads. */
    public Settings withScheduler(Scheduler chosen) {
        return new Settings(bufferSize, threads, connectTimeout, maxConns, idleTimeout, keepAlive, drain, io, udpSessions, syslog,
                bufferMemory, chosen);
    }

    /** A copy with another drain time. */
    public Settings withDrain(Duration time) {
        return new Settings(bufferSize, threads, connectTimeout, maxConns, idleTimeout, keepAlive, time, io, udpSessions, syslog, bufferMemory, scheduler);
    }
}
