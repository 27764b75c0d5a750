package oi.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Waits for connection-log lines, which are written when connections end. */
public final class LogLines {

    private LogLines() {
    }

    /** Returns the lines once there are at least {@code count}; fails after 10 s. */
    public static List<String> await(Path log, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (lines.size() >= count) {
                return lines;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("expected " + count + " log lines in " + log + ", got " + lines.size() + ", the last: "
                + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
}
