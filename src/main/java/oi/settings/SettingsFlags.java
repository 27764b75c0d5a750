package oi.settings;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;

/**
 * The flags that make a {@link Settings}, the one place each is declared: its name, its help, its
 * reading ({@link Flags}) and its default. Each field is named and typed as the record component
 * it fills, so a new setting is a record component and a field here, and nothing else. {@code oi}
 * and {@code oi bench} both take these flags (JCommander's {@code @ParametersDelegate}).
 *
 * <p>A default whose Java form is not how it is written on the command line ({@code PT10S} for 10)
 * gives its written form as {@code defaultValueDescription}; a test reads each one back.
 */
public final class SettingsFlags {
    @Parameter(names = "--buffer", converter = Flags.BufferSize.class, defaultValueDescription = "64k",
            description = "Pump buffer per direction: 8k, 16k, 64k, or bytes with an optional k/m suffix (1k to 16m)")
    int bufferSize = 64 * 1024;

    @Parameter(names = "--buffer-memory", converter = Flags.Memory.class, description = "Memory all pooled full-size buffers "
            + "may take together, e.g. 256m or 2g; past it pumps go on with 1 KiB buffers; 0 = half the JVM's limit for them")
    long bufferMemory = 0;

    @Parameter(names = "--threads", description = "Thread model of the pumps")
    ThreadModel threads = ThreadModel.VIRTUAL;

    @Parameter(names = "--scheduler", description = "Who runs the virtual threads: jdk (a poller wakes a carrier), poller "
            + "(the poller runs them, one wake-up per hop; falls back to jdk where the JVM cannot), or auto (jdk on one core, poller on more)")
    Scheduler scheduler = Scheduler.AUTO;

    @Parameter(names = "--nodelay", description = "When sockets send each write at once (TCP_NODELAY): always, or auto "
            + "(not while a direction's reads come back full, so the kernel merges bulk writes; again at the first short read)")
    NoDelay noDelay = NoDelay.ALWAYS;

    @Parameter(names = "--io", description = "How the pumps read and write (man oi describes each; splice needs JDK 22+)")
    IoMode io = IoMode.AUTO;

    @Parameter(names = "--poller", description = "Who wakes splice pumps and backend connects: jdk (the JDK's one-shot "
            + "pollers) or oi (its own edge-triggered epoll, each socket registered once; falls back to jdk where the JVM cannot)")
    Poller poller = Poller.JDK;

    @Parameter(names = "--connect-timeout", converter = Flags.PositiveSeconds.class, defaultValueDescription = "10",
            description = "Seconds a backend connect may take")
    Duration connectTimeout = Duration.ofSeconds(10);

    @Parameter(names = "--max-conns", converter = Flags.Connections.class, description = "Live TCP connections allowed in "
            + "the whole process; past it new clients are closed at once (per rule: [maxconns=N])")
    int maxConns = 4096;

    @Parameter(names = "--idle-timeout", converter = Flags.Seconds.class, defaultValueDescription = "0",
            description = "Close a TCP connection that moved no bytes for this many seconds; 0 = never (per rule: [idle=N])")
    Duration idleTimeout = Duration.ZERO;

    // JCommander negates a boolean whose default is true: --no-keepalive clears it.
    @Parameter(names = "--no-keepalive", defaultValueDescription = "false",
            description = "Do not set TCP keepalive on the client and backend sockets")
    boolean keepAlive = true;

    @Parameter(names = "--drain", converter = Flags.Seconds.class, defaultValueDescription = "0", description = "On SIGTERM, "
            + "stop accepting and let live connections finish for up to this many seconds; 0 = exit at once")
    Duration drain = Duration.ZERO;

    @Parameter(names = "--udp-sessions", converter = Flags.Sessions.class,
            description = "Client sessions each UDP rule keeps; past it the least recently active one is closed")
    int udpSessions = 10_000;

    @Parameter(names = "--syslog", description = "Send the connection log to syslog (UDP 127.0.0.1:514) instead of the rules file's logfile")
    boolean syslog = false;

    /** The settings of these flags as their defaults or as a command line set them. */
    public SettingsFlags() {
    }

    /** The settings of a command line that has only these flags, e.g. {@code parse("--buffer", "8k")}. */
    static Settings parse(String... flags) {
        SettingsFlags parsed = new SettingsFlags();
        JCommander.newBuilder().addObject(parsed).addConverterInstanceFactory(Flags::enumWords).build().parse(flags);
        return parsed.settings();
    }

    /**
     * The settings these flags give: each record component from the field of its name.
     *
     * @throws IllegalArgumentException when {@code --buffer-memory} cannot hold one {@code --buffer}
     */
    public Settings settings() {
        if (bufferMemory != 0 && bufferMemory < bufferSize) {
            throw new IllegalArgumentException("--buffer-memory \"" + ByteSize.format(bufferMemory) + "\" is out of range: between "
                    + ByteSize.format(bufferSize) + " and " + ByteSize.format(Flags.MAX_MEMORY));
        }
        RecordComponent[] components = Settings.class.getRecordComponents();
        try {
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                Field field = SettingsFlags.class.getDeclaredField(components[i].getName());
                values[i] = field.get(this);
            }
            Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
            return Settings.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("a Settings component without its flag field here: " + e, e);
        }
    }
}
