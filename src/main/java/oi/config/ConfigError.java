package oi.config;

import java.nio.file.Path;

/** One problem in a rules file, located so that an editor can jump to it. */
public record ConfigError(Path file, int line, String message) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
