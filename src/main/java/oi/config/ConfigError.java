package oi.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** One problem in a rules file, located so that an editor can jump to it. */
public record ConfigError(Path file, int line, String message) {

    /**
     * Why a file or socket call failed, as a user reads it: a file-system error's reason (its
     * message is only the path), else the JDK's text or the exception's type.
     */
    public static String reasonOf(IOException e) {
        return switch (e) {
            case NoSuchFileException missing -> "no such file or directory";
            case AccessDeniedException denied -> "permission denied";
            case FileSystemException other when other.getReason() != null -> other.getReason();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
