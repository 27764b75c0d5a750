package oi.rules;

import java.nio.file.Path;
import java.util.List;

/**
 * A whole rules file, parsed and resolved: what the forwarder runs and what a reload swaps in.
 *
 * @param source the file it was read from
 * @param logFile where connection lines go ({@code logfile}), or null for no connection log
 * @param logCommon whether those lines use the Apache common-log layout
 * @param pidLogFile where the pid is written, or null
 */
public record Config(Path source, List<ForwardRule> rules, AccessList globalAccess,
                     LogTarget logFile, boolean logCommon, Path pidLogFile) {

    public Config {
        rules = List.copyOf(rules);
    }
}
