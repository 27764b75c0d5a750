package oi.runtime;

import java.time.Duration;

/**
 * The tunables given on the command line, shared by every listener.
 *
 * @param bufferSize bytes each pump reads at most at once ({@code --buffer})
 * @param threads the thread model of the pumps ({@code --threads})
 * @param connectTimeout how long a backend connect may take ({@code --connect-timeout})
 */
public record Settings(int bufferSize, ThreadModel threads, Duration connectTimeout) {

    /** The defaults of the command line: 64 KiB, virtual threads, 10 s. */
    public static final Settings DEFAULTS = new Settings(64 * 1024, ThreadModel.VIRTUAL, Duration.ofSeconds(10));

    /** A copy with another buffer size. */
    public Settings withBufferSize(int bytes) {
        return new Settings(bytes, threads, connectTimeout);
    }

    /** A copy with another thread model. */
    public Settings withThreads(ThreadModel model) {
        return new Settings(bufferSize, model, connectTimeout);
    }
}
