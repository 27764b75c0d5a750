package oi.cli;

import java.io.PrintStream;
import java.util.List;
import oi.rules.Config;
import oi.rules.ForwardRule;

/**
 * {@code oi --check}: prints a rules file that parsed, one line per rule, so that an operator, or
 * the unit's {@code ExecReload=}, learns that a file is good before a reload takes it. The file's
 * errors never reach here: they are refused like a start's, by {@link CommandLine#refuse}.
 */
final class RulesCheck {

    private RulesCheck() {
    }

    /** Prints {@link ForwardRule#summary} for every rule line, in file order (a port range once), or that there is none; nothing is bound. */
    static ExitCode print(Config config, PrintStream out) {
        List<ForwardRule> rules = config.rules();
        if (rules.isEmpty()) { // a file of comments is good too, but a silent check would look like one that never ran
            out.println(config.source() + ": no forwarding rules");
        }
        for (int i = 0; i < rules.size(); ) {
            ForwardRule first = rules.get(i);
            int ports = 1;
            while (i + ports < rules.size() && rules.get(i + ports).location().equals(first.location())) {
                ports++;
            }
            out.println(first.summary() + (ports > 1 ? " (a range of " + ports + " ports, to " + rules.get(i + ports - 1).bind() + ")" : ""));
            i += ports;
        }
        return ExitCode.OK;
    }
}
