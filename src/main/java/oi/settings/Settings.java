package oi.settings;

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
 * @param noDelay when the pumps' sockets send each write at once ({@code --nodelay})
 * @param poller who wakes splice pumps and backend connects ({@code --poller})
 */
public record Settings(int bufferSize, ThreadModel threads, Duration connectTimeout,
                       int maxConns, Duration idleTimeout, boolean keepAlive, Duration drain, IoMode io, int udpSessions,
                       boolean syslog, long bufferMemory, Scheduler scheduler, NoDelay noDelay,
                       Poller poller) {

    /** The defaults of the command line, as {@link SettingsFlags} declares them. */
    public static final Settings DEFAULTS = new SettingsFlags().settings();

    /**
     * The settings of these flags, the rest at their defaults, e.g. {@code of("--buffer", "8k")}.
     *
     * @throws IllegalArgumentException naming the first flag whose value is wrong
     */
    public static Settings of(String... flags) {
        return SettingsFlags.parse(flags);
    }
}
