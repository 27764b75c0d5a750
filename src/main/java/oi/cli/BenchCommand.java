package oi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import com.beust.jcommander.ParametersDelegate;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import oi.bench.Bench;
import oi.config.ConfigError;
import oi.settings.Settings;
import oi.settings.SettingsFlags;

/**
 * {@code oi bench MODE}: the command line of {@link Bench}'s modes. The forwarder of the
 * {@code ab} mode takes every flag {@code oi} takes for its settings ({@link SettingsFlags}).
 */
final class BenchCommand {
    private static final String ABOUT = "oi bench: the in-process A/B of oi's settings, and the experiment's load tools.\n";

    /** The modes, as the first word names them. */
    private enum Mode {
        AB(false, "the in-process A/B (the default): source -> oi -> sink throughput, 32-byte round trips, direct and through oi"),
        ECHO_SERVER(false, "echo every byte on --port until killed, printing port=N"),
        RR(true, "round trips of --size bytes against --target"),
        CONNRATE(true, "new connections per second against --target from --concurrency threads"),
        IDLE(true, "hold --connections idle connections to --target for --seconds");

        private final boolean aimed;
        private final String description;

        Mode(boolean aimed, String description) {
            this.aimed = aimed;
            this.description = description;
        }

        String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Mode of(String word) {
            return Arrays.stream(values()).filter(mode -> mode.word().equals(word)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown mode \"" + word + "\" ("
                            + Arrays.stream(values()).map(Mode::word).collect(Collectors.joining(", ")) + ")"));
        }
    }

    /** The command line of every mode; each mode reads the flags it needs. */
    private static final class Options {
        @Parameter(description = "[MODE]")
        List<String> mode = new ArrayList<>();

        @ParametersDelegate
        SettingsFlags tuning = new SettingsFlags();

        @Parameter(names = "--seconds", description = "How long each measurement runs")
        double seconds = 3;

        @Parameter(names = "--target", description = "rr, connrate, idle: HOST:PORT to connect to")
        String target;

        @Parameter(names = "--port", description = "echo-server: port to listen on (0: any)")
        int port;

        @Parameter(names = "--size", description = "rr: request and response size in bytes")
        int size = 32;

        @Parameter(names = "--concurrency", description = "connrate: client threads")
        int concurrency = 4;

        @Parameter(names = "--connections", description = "idle: connections to hold open")
        int connections = 4000;

        @Parameter(names = {"-h", "--help"}, help = true, description = "Print this help")
        boolean help;

        InetSocketAddress target() {
            if (target == null) {
                throw new IllegalArgumentException("--target HOST:PORT is needed");
            }
            return CommandLine.address("--target", target);
        }
    }

    /** A mode with the values it runs on, all checked. */
    private record Run(Mode mode, Options options, Settings settings, InetSocketAddress target) {

        static Run of(Options options) {
            // JCommander takes an unknown flag for the mode word, as the mode is its main parameter.
            options.mode.stream().filter(word -> word.startsWith("-")).findFirst().ifPresent(flag -> {
                throw new IllegalArgumentException("unknown option \"" + flag + "\"");
            });
            if (options.mode.size() > 1) {
                throw new IllegalArgumentException("one mode at a time, got " + String.join(" ", options.mode));
            }
            Mode mode = options.mode.isEmpty() ? Mode.AB : Mode.of(options.mode.get(0));
            within("--seconds", options.seconds, 0, 86_400, "a number of seconds");
            within("--port", options.port, 0, 65_535, "a port");
            within("--size", options.size, 1, 16 << 20, "a number of bytes");
            within("--concurrency", options.concurrency, 1, 10_000, "a number of threads");
            within("--connections", options.connections, 1, 10_000_000, "a number of connections");
            return new Run(mode, options, mode == Mode.AB ? CommandLine.settings(options.tuning) : null,
                    mode.aimed ? options.target() : null);
        }

        private static void within(String flag, double value, double min, double max, String what) {
            if (!(value >= min && value <= max)) { // NaN too
                throw new IllegalArgumentException(flag + " must be " + what + " between " + (long) min + " and " + (long) max + ", got "
                        + (Double.isFinite(value) && value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value)));
            }
        }

        /** Runs the mode; false when it could not do all it was asked. */
        boolean measure(PrintStream out) throws Exception {
            switch (mode) {
                case AB -> Bench.ab(settings, options.seconds, out);
                case ECHO_SERVER -> Bench.echoServer(options.port, out);
                case RR -> Bench.roundTrips(target, options.size, options.seconds, out);
                case CONNRATE -> Bench.connectionRate(target, options.seconds, options.concurrency, out);
                case IDLE -> {
                    return Bench.holdIdle(target, options.connections, options.seconds, out);
                }
            }
            return true;
        }
    }

    private BenchCommand() {
    }

    /** Runs one mode with the streams given. */
    static ExitCode run(String[] args, PrintStream out, PrintStream err) {
        Options options = new Options();
        CommandLine commandLine = CommandLine.of("oi bench", options, ABOUT, modes());
        Run run;
        try {
            commandLine.parse(args);
            if (options.help) {
                out.print(commandLine.usage());
                return ExitCode.OK;
            }
            run = Run.of(options);
        } catch (ParameterException | IllegalArgumentException e) {
            return commandLine.refuse(e, err);
        }
        try {
            return run.measure(out) ? ExitCode.OK : ExitCode.SYSERR;
        } catch (Exception e) {
            err.println("oi bench: " + run.mode().word() + " failed: " + (e instanceof IOException io ? ConfigError.reasonOf(io) : e));
            return ExitCode.SYSERR;
        }
    }

    private static String modes() {
        StringBuilder text = new StringBuilder("\nModes:\n");
        for (Mode mode : Mode.values()) {
            text.append(String.format(Locale.ROOT, "  %-12s %s%n", mode.word(), mode.description));
        }
        return text.toString();
    }
}
