package oi.cli;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import oi.config.ConfigException;
import oi.rules.HostAndPort;
import oi.settings.Flags;
import oi.settings.IoMode;
import oi.settings.Settings;
import oi.settings.SettingsFlags;
import oi.tcp.Splice;

/**
 * What {@code oi} and {@code oi bench} share in reading a command line: JCommander set up for
 * oi's enum flags, the checks of flag values, and the one way bad input is refused: a line
 * {@code PROGRAM: message} (plus the usage when the command line itself is malformed) and
 * {@link ExitCode#CMDERR}, never a stack trace.
 *
 * <p>Every check throws {@link IllegalArgumentException} with a message naming the flag.
 */
record CommandLine(String program, JCommander commander, String about, String footer) {
    private static final Pattern STRAY = Pattern.compile("Was passed main parameter '(.*)' but no main parameter");

    /** A command line read into {@code options}; {@code about} and {@code footer} frame JCommander's usage text. */
    static CommandLine of(String program, Object options, String about, String footer) {
        return new CommandLine(program, JCommander.newBuilder().programName(program).addObject(options)
                .addConverterInstanceFactory(Flags::enumWords).build(), about, footer);
    }

    /**
     * Fills the options from {@code args}.
     *
     * @throws ParameterException when the command line is malformed (an unknown flag, a missing value)
     * @throws IllegalArgumentException when an enum flag has a word it does not know
     */
    void parse(String... args) {
        commander.parse(args);
    }

    /** The help: {@code about}, every flag with its default, then {@code footer}. */
    String usage() {
        StringBuilder text = new StringBuilder(about);
        commander.getUsageFormatter().usage(text);
        return text.append(footer).toString();
    }

    /**
     * Reports bad input on {@code err}: each rules-file error on its own line, a malformed command
     * line with the usage after it, a bad value as its one line.
     *
     * @return {@link ExitCode#CMDERR}, for the caller to return
     */
    ExitCode refuse(Exception problem, PrintStream err) {
        switch (problem) {
            case ConfigException e -> e.errors().forEach(error -> err.println(program + ": " + error));
            case ParameterException e -> {
                err.println(program + ": " + describe(e));
                err.print(usage());
            }
            default -> err.println(program + ": " + problem.getMessage());
        }
        return ExitCode.CMDERR;
    }

    /** The settings of the tuning flags, refusing {@code --io splice} or {@code hybrid} where this JVM cannot splice. */
    static Settings settings(SettingsFlags flags) {
        Settings settings = flags.settings();
        if (settings.io().splices() && Splice.unavailable() != null) {
            throw new IllegalArgumentException(Splice.unavailable());
        }
        return settings;
    }

    /** A {@code HOST:PORT} flag value, looked up now so that a typo stops the start. */
    static InetSocketAddress address(String flag, String text) {
        HostAndPort address = HostAndPort.parse(flag, text);
        try {
            return address.resolve(InetAddress::getByName);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(flag + " \"" + text + "\": cannot resolve host \"" + address.host() + "\"");
        }
    }

    /** JCommander's message, except that a stray word becomes "unknown option", as users say it. */
    private static String describe(ParameterException e) {
        Matcher stray = STRAY.matcher(String.valueOf(e.getMessage()));
        if (!stray.find()) {
            return e.getMessage();
        }
        return (stray.group(1).startsWith("-") ? "unknown option " : "unexpected argument ") + "\"" + stray.group(1) + "\"";
    }
}
