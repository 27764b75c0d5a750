package oi.cli;

import java.io.PrintStream;
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

    /** Prints {@link ForwardRule#summary} for every rule, in file order; nothing is bound. */
    static ExitCode print(Config config, PrintStream out) {
        config.rules().forEach(rule -> out.println(rule.summary()));
        return ExitCode.OK;
    }
}
