package oi.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import oi.config.ConfigError;
import org.tinylog.Logger;

/** The rules file's {@code pidlogfile}: written at start and on a reload that names another, removed at stop. */
final class PidFile {

    private PidFile() {
    }

    /** Writes this process's pid to {@code pidFile}, if the rules name one; a failure is logged, not fatal, as in rinetd. */
    static void write(Path pidFile) {
        if (pidFile == null) {
            return;
        }
        try {
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            Logger.error("cannot write pidlogfile {}: {}", pidFile, ConfigError.reasonOf(e));
        }
    }

    /** Removes {@code pidFile}, if the rules name one. */
    static void delete(Path pidFile) {
        if (pidFile == null) {
            return;
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            Logger.warn("cannot remove pidlogfile {}: {}", pidFile, ConfigError.reasonOf(e));
        }
    }
}
