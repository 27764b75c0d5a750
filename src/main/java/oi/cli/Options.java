package oi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import oi.settings.SettingsFlags;

/** The {@code oi} command line, rinetd's flags first; values are checked by {@link Main}, not here. */
final class Options {

    @Parameter(names = {"-c", "--conf-file"}, description = "Rules file in rinetd's format")
    String confFile = "/etc/rinetd.conf";

    @Parameter(names = {"-f", "--foreground"}, description = "Accepted for rinetd compatibility; oi always runs in the foreground")
    boolean foreground;

    @Parameter(names = {"-t", "--check"}, description = "Check the rules file as a start would (every include read, names looked up),"
            + " print one line per rule and exit: 0 when it is good, 2 with its errors; binds nothing")
    boolean check;

    @ParametersDelegate
    SettingsFlags tuning = new SettingsFlags();

    @Parameter(names = {"--dns-ttl"}, description = "Seconds a looked-up backend host name is trusted before new connections look it up again")
    String dnsTtl = "30";

    @Parameter(names = {"--metrics"}, description = "Serve /metrics (Prometheus) and /status (JSON) on HOST:PORT, e.g. 127.0.0.1:9100")
    String metrics;

    @Parameter(names = {"-h", "--help"}, description = "Print this help and exit", help = true)
    boolean help;

    @Parameter(names = {"-v", "--version"}, description = "Print the version and exit")
    boolean version;
}
