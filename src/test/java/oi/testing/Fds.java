package oi.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/** Open file descriptors of this process, from /proc/self/fd, to catch leaks. */
public final class Fds {

    private Fds() {
    }

    /** The number of descriptors open now. */
    public static long count() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Waits until at most {@code limit} descriptors are open; returns the last count seen. */
    public static long awaitAtMost(long limit, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long count = count();
        while (count > limit && System.nanoTime() < deadline) {
            Thread.sleep(20);
            count = count();
        }
        return count;
    }
}
