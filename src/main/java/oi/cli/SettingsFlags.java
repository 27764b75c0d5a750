package oi.cli;

import static oi.cli.CommandLine.number;

import com.beust.jcommander.Parameter;
import java.time.Duration;
import oi.settings.IoMode;
import oi.settings.Scheduler;
import oi.settings.Settings;
import oi.settings.ThreadModel;
import oi.tcp.Splice;

/**
 * The flags that make a {@link Settings}, the one parser of them: {@code oi} and
 * {@code oi bench} both take them (JCommander's {@code @ParametersDelegate}), so an A/B can try
 * any tunable. Each default is rendered from {@link Settings#DEFAULTS}, the only place a default
 * is written, and the help shows it. A new tunable is a field here and its argument in
 * {@link #settings}; an enum-valued one is typed as its enum (the help then lists its values)
 * and gets its converter in {@link CommandLine}.
 */
final class SettingsFlags {
    private static final Settings DEFAULTS = Settings.DEFAULTS;
    private static final String SECONDS = "a number of seconds";

    @Parameter(names = "--buffer", description = "Pump buffer per direction: 8k, 16k, 64k, or bytes with an optional k/m suffix (1k to 16m)")
    String buffer = ByteSize.format(DEFAULTS.bufferSize());

    @Parameter(names = "--buffer-memory", description = "Memory all pooled full-size buffers may take together, e.g. 256m or 2g; past it pumps go on with 1 KiB buffers; 0 = half the JVM's limit for them")
    String bufferMemory = Long.toString(DEFAULTS.bufferMemory());

    @Parameter(names = "--threads", description = "Thread model of the pumps")
    ThreadModel threads = DEFAULTS.threads();

    @Parameter(names = "--scheduler", description = "Who runs the virtual threads: jdk (a poller wakes a carrier) or poller (the poller runs them, one wake-up per hop; falls back to jdk where the JVM cannot)")
    Scheduler scheduler = DEFAULTS.scheduler();

    @Parameter(names = "--io", description = "How the pumps read and write (man oi describes each; splice needs JDK 22+)")
    IoMode io = DEFAULTS.io();

    @Parameter(names = "--connect-timeout", description = "Seconds a backend connect may take")
    String connectTimeout = seconds(DEFAULTS.connectTimeout());

    @Parameter(names = "--max-conns", description = "Live TCP connections allowed in the whole process; past it new clients are closed at once (per rule: [maxconns=N])")
    String maxConns = Integer.toString(DEFAULTS.maxConns());

    @Parameter(names = "--idle-timeout", description = "Close a TCP connection that moved no bytes for this many seconds; 0 = never (per rule: [idle=N])")
    String idleTimeout = seconds(DEFAULTS.idleTimeout());

    @Parameter(names = "--no-keepalive", description = "Do not set TCP keepalive on the client and backend sockets")
    boolean noKeepAlive = !DEFAULTS.keepAlive();

    @Parameter(names = "--drain", description = "On SIGTERM, stop accepting and let live connections finish for up to this many seconds; 0 = exit at once")
    String drain = seconds(DEFAULTS.drain());

    @Parameter(names = "--udp-sessions", description = "Client sessions each UDP rule keeps; past it the least recently active one is closed")
    String udpSessions = Integer.toString(DEFAULTS.udpSessions());

    @Parameter(names = "--syslog", description = "Send the connection log to syslog (UDP 127.0.0.1:514) instead of the rules file's logfile")
    boolean syslog = DEFAULTS.syslog();

    /**
     * The settings these flags give.
     *
     * @throws IllegalArgumentException naming the first flag whose value is out of range
     */
    Settings settings() {
        if (io == IoMode.SPLICE && Splice.unavailable() != null) {
            throw new IllegalArgumentException(Splice.unavailable());
        }
        int bufferSize = ByteSize.parse(buffer);
        return new Settings(bufferSize, threads,
                Duration.ofSeconds(number("--connect-timeout", connectTimeout, 1, 999_999, SECONDS)),
                number("--max-conns", maxConns, 1, 10_000_000, "a number of connections"),
                Duration.ofSeconds(number("--idle-timeout", idleTimeout, 0, 999_999, SECONDS)),
                !noKeepAlive,
                Duration.ofSeconds(number("--drain", drain, 0, 999_999, SECONDS)),
                io,
                number("--udp-sessions", udpSessions, 1, 10_000_000, "a number of sessions"),
                syslog,
                "0".equals(bufferMemory) ? 0 : ByteSize.parse("--buffer-memory", bufferMemory, bufferSize, 1L << 40),
                scheduler);
    }

    private static String seconds(Duration duration) {
        return Long.toString(duration.toSeconds());
    }
}
