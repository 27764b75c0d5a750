package oi.config;

import java.util.List;

/** A rules file that cannot be used, with every problem found in it, not just the first. */
public final class ConfigException extends Exception {
    private final transient List<ConfigError> errors;

    /** Wraps the problems found in one file. */
    public ConfigException(List<ConfigError> errors) {
        super(errors.isEmpty() ? "bad configuration" : errors.get(0).toString());
        this.errors = List.copyOf(errors);
    }

    /** Every problem, in file order. */
    public List<ConfigError> errors() {
        return errors;
    }
}
