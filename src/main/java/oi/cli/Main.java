package oi.cli;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import oi.config.Config;
import oi.config.ConfigError;
import oi.config.ConfigException;
import oi.config.ConfigParser;
import oi.metrics.MetricsServer;
import oi.runtime.IoMode;
import oi.runtime.Settings;
import oi.runtime.ThreadModel;
import oi.server.Forwarder;
import oi.server.StartupException;
import oi.tcp.Splice;
import org.tinylog.Logger;

/**
 * The {@code oi} command: parses the command line and the rules file, starts the forwarder and
 * serves until SIGTERM or SIGINT. The only place that calls {@link System#exit}.
 */
public final class Main {

    private Main() {
    }

    /** Runs oi and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err).status());
    }

    /**
     * Runs oi with the given streams: returns at once on a bad command line, bad rules file,
     * help or version, and otherwise when the forwarder has stopped.
     */
    public static ExitCode run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("bench")) {
            int status = oi.bench.Bench.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
            return status == 0 ? ExitCode.OK : status == 2 ? ExitCode.CMDERR : ExitCode.SYSERR;
        }
        Options options = new Options();
        JCommander commander = JCommander.newBuilder().programName("oi").addObject(options).build();
        try {
            commander.parse(args);
        } catch (ParameterException e) {
            err.println("oi: " + describe(e));
            err.print(usage(commander));
            return ExitCode.CMDERR;
        }
        if (options.help) {
            out.print(usage(commander));
            return ExitCode.OK;
        }
        if (options.version) {
            out.println("oi " + version());
            return ExitCode.OK;
        }
        Settings settings;
        try {
            settings = settings(options);
        } catch (IllegalArgumentException e) {
            err.println("oi: " + e.getMessage());
            return ExitCode.CMDERR;
        }
        try {
            int ttl = number("--dns-ttl", options.dnsTtl, 0, 999_999, "a number of seconds");
            // The JDK's own name cache is the TTL: every lookup of a backend name goes through it.
            java.security.Security.setProperty("networkaddress.cache.ttl", Integer.toString(ttl));
        } catch (IllegalArgumentException e) {
            err.println("oi: " + e.getMessage());
            return ExitCode.CMDERR;
        }
        ConfigParser parser = new ConfigParser();
        Config config;
        try {
            config = parser.parse(Path.of(options.confFile));
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                err.println("oi: " + error);
            }
            return ExitCode.CMDERR;
        }
        InetSocketAddress metricsAddress;
        try {
            metricsAddress = options.metrics == null ? null : hostAndPort("--metrics", options.metrics);
        } catch (IllegalArgumentException e) {
            err.println("oi: " + e.getMessage());
            return ExitCode.CMDERR;
        }
        Forwarder forwarder = new Forwarder(settings, parser);
        Signals.install(forwarder); // before binding: a SIGTERM that arrives while starting must still exit 0
        try {
            forwarder.start(config);
        } catch (StartupException e) {
            for (String line : e.getMessage().split("\n")) {
                err.println("oi: " + line);
            }
            return ExitCode.SYSERR;
        }
        try (MetricsServer metrics = metricsAddress == null ? null : MetricsServer.start(metricsAddress, forwarder)) {
            if (metrics != null) {
                Logger.info("metrics on http://{}:{}/metrics and /status", metricsAddress.getHostString(), metrics.port());
            }
            forwarder.awaitStop();
        } catch (IOException e) {
            err.println("oi: cannot serve --metrics on " + options.metrics + ": " + e.getMessage());
            forwarder.stop();
            return ExitCode.SYSERR;
        } catch (InterruptedException e) {
            forwarder.stop();
        }
        return ExitCode.OK;
    }

    /** Settings from the command line's defaults with the A/B flags given, for {@code oi bench}. */
    public static Settings settings(String buffer, String threads, String io) {
        Options options = new Options();
        options.buffer = buffer;
        options.threads = threads;
        options.io = io;
        return settings(options);
    }

    /** The validated settings of a parsed command line. */
    static Settings settings(Options options) {
        int buffer = ByteSize.parse(options.buffer);
        ThreadModel threads = ThreadModel.parse(options.threads);
        int connectTimeout = number("--connect-timeout", options.connectTimeout, 1, 999_999, "a number of seconds");
        int maxConns = number("--max-conns", options.maxConns, 1, 10_000_000, "a number of connections");
        int idle = number("--idle-timeout", options.idleTimeout, 0, 999_999, "a number of seconds");
        int drain = number("--drain", options.drain, 0, 999_999, "a number of seconds");
        IoMode io = IoMode.parse(options.io);
        if (io == IoMode.SPLICE && Splice.unavailable() != null) {
            throw new IllegalArgumentException(Splice.unavailable());
        }
        return new Settings(buffer, threads, Duration.ofSeconds(connectTimeout), maxConns, Duration.ofSeconds(idle),
                !options.noKeepAlive, Duration.ofSeconds(drain), io,
                number("--udp-sessions", options.udpSessions, 1, 10_000_000, "a number of sessions"), options.syslog,
                options.bufferMemory == null ? 0 : ByteSize.parse("--buffer-memory", options.bufferMemory, buffer, 1L << 40));
    }

    /** A {@code HOST:PORT} flag value ({@code [::1]:9100} for IPv6), or a one-line reason. */
    static InetSocketAddress hostAndPort(String flag, String text) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        String port = colon < 0 ? "" : text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException(flag + " \"" + text + "\" is not HOST:PORT, e.g. 127.0.0.1:9100");
        }
        InetSocketAddress address = new InetSocketAddress(host, Integer.parseInt(port));
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(flag + " \"" + text + "\": cannot resolve host \"" + host + "\"");
        }
        return address;
    }

    /** A whole number flag value within bounds, or a one-line reason. */
    private static int number(String flag, String text, int min, int max, String what) {
        if (!text.matches("\\d{1,9}") || Integer.parseInt(text) < min || Integer.parseInt(text) > max) {
            throw new IllegalArgumentException(flag + " \"" + text + "\" is not " + what + " between " + min + " and " + max);
        }
        return Integer.parseInt(text);
    }

    /** JCommander's message, except that a stray word becomes "unknown option", as users say it. */
    private static String describe(ParameterException e) {
        java.util.regex.Matcher stray = java.util.regex.Pattern.compile("Was passed main parameter '(.*)' but no main parameter")
                .matcher(String.valueOf(e.getMessage()));
        return stray.find() ? (stray.group(1).startsWith("-") ? "unknown option " : "unexpected argument ")
                + "\"" + stray.group(1) + "\"" : e.getMessage();
    }

    private static String usage(JCommander commander) {
        StringBuilder text = new StringBuilder();
        text.append("oi: a TCP port forwarder on virtual threads, reading rinetd's rules file.\n");
        commander.getUsageFormatter().usage(text);
        text.append("\nSignals: SIGHUP reloads the rules file and reopens the log; SIGUSR1 logs per-rule statistics;\n"
                + "SIGTERM or SIGINT stops (a second one cuts --drain short).\n"
                + "oi bench --help: the in-process buffer and thread-model A/B, and the experiment's load tools.\n");
        return text.toString();
    }

    private static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }
}
