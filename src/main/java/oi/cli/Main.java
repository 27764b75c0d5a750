package oi.cli;

import com.beust.jcommander.ParameterException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.Security;
import java.time.Duration;
import java.util.Arrays;
import oi.config.ConfigException;
import oi.config.ConfigParser;
import oi.metrics.MetricsServer;
import oi.rules.Config;
import oi.rules.HostAndPort;
import oi.rules.Lookups;
import oi.server.Forwarder;
import oi.server.StartupException;
import oi.server.SystemdNotify;
import oi.settings.Flags;
import oi.settings.Settings;
import org.tinylog.Logger;

/**
 * The {@code oi} command: parses the command line and the rules file, starts the forwarder and
 * serves until SIGTERM or SIGINT; {@code oi bench} goes to {@link BenchCommand}. The only place
 * that calls {@link System#exit}.
 */
public final class Main {
    private static final String ABOUT = "oi: a TCP port forwarder on virtual threads, reading rinetd's rules file.\n";
    private static final String FOOTER = """

            Signals: SIGHUP reloads the rules file and reopens the log; SIGUSR1 logs per-rule statistics;
            SIGTERM or SIGINT stops (a second one cuts --drain short).
            oi bench --help: the in-process buffer and thread-model A/B, and the experiment's load tools.
            """;

    private Main() {
    }

    /** Runs oi and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err).status());
    }

    /**
     * Runs oi with the given streams: returns at once on a bad command line, bad rules file,
     * help, version or {@code --check}, and otherwise when the forwarder has stopped.
     */
    public static ExitCode run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length > 0 && args[0].equals("bench")) {
                return BenchCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
            }
            return oi(args, out, err);
        } catch (RuntimeException | Error e) { // a bug, or out of stack or memory: one line for the user, the trace for the debug log
            Logger.debug(e, "unexpected failure");
            err.println("oi: unexpected failure: " + e);
            return ExitCode.SYSERR;
        }
    }

    private static ExitCode oi(String[] args, PrintStream out, PrintStream err) {
        Options options = new Options();
        CommandLine commandLine = CommandLine.of("oi", options, ABOUT, FOOTER);
        Startup startup;
        try {
            commandLine.parse(args);
            if (options.help) {
                out.print(commandLine.usage());
                return ExitCode.OK;
            }
            if (options.version) {
                out.println("oi " + version());
                return ExitCode.OK;
            }
            startup = Startup.read(options);
        } catch (ParameterException | IllegalArgumentException | ConfigException e) {
            return commandLine.refuse(e, err);
        }
        return options.check ? RulesCheck.print(startup.config(), out) : serve(startup, err);
    }

    /** Everything the command line and the rules file say, checked before anything is bound. */
    private record Startup(Settings settings, InetSocketAddress metrics, ConfigParser parser, Config config) {

        static Startup read(Options options) throws ConfigException {
            int ttl = Flags.number("--dns-ttl", options.dnsTtl, 0, 999_999, "a number of seconds");
            // oi's own cache of backend names is the TTL; the JDK's would keep an answer as long again behind it.
            // First: the JDK reads its setting once, at the first lookup (--metrics may make one).
            Lookups.trustFor(Duration.ofSeconds(ttl));
            Security.setProperty("networkaddress.cache.ttl", "0");
            Settings settings = CommandLine.settings(options.tuning);
            InetSocketAddress metrics = options.metrics == null ? null : CommandLine.address("--metrics", options.metrics);
            ConfigParser parser = new ConfigParser();
            return new Startup(settings, metrics, parser, parser.parse(Path.of(options.confFile)));
        }
    }

    /** Binds, serves until stopped, and turns a failure to bind or to serve --metrics into SYSERR. */
    private static ExitCode serve(Startup startup, PrintStream err) {
        Forwarder forwarder = new Forwarder(startup.settings(), startup.parser(), SystemdNotify.fromEnvironment());
        Signals.install(forwarder); // before binding: a SIGTERM that arrives while starting must still exit 0
        try {
            forwarder.start(startup.config());
        } catch (StartupException e) {
            return failed(err, e.getMessage());
        }
        try (MetricsServer metrics = startup.metrics() == null ? null : MetricsServer.start(startup.metrics(), forwarder)) {
            if (metrics != null) {
                Logger.info("metrics on http://{}:{}/metrics and /status", startup.metrics().getHostString(), metrics.port());
            }
            forwarder.ready();
            forwarder.awaitStop();
        } catch (IOException e) {
            forwarder.stop();
            InetSocketAddress address = startup.metrics();
            return failed(err, "cannot serve --metrics on " + new HostAndPort(address.getHostString(), address.getPort()) + ": "
                    + e.getMessage());
        } catch (InterruptedException e) {
            forwarder.stop();
        }
        return ExitCode.OK;
    }

    /** Reports a startup failure, one {@code oi:} line per line of the message. */
    private static ExitCode failed(PrintStream err, String message) {
        message.lines().forEach(line -> err.println("oi: " + line));
        return ExitCode.SYSERR;
    }

    private static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }
}
